package conn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// Lean retrievals of strings
//
// govmomi decodes a property result through reflection, element by
// element: at 45,000 VMs the names alone take 0.5 to 0.8 s of the client's
// CPU, most of the wait for the TUI's first screen. An answer made only of
// strings (names) has a shape simple enough to read with a scanner instead,
// a few percent of that. RetrieveStrings sends the same standard
// RetrievePropertiesEx any server answers, through the connection's
// transport like any request (re-login, read-only, what tests record);
// at the bottom leanTransport posts it and reads the answer itself while
// it has exactly that shape. Anything else (a value of another type, a
// fault, markup it does not expect) govmomi decodes from the same bytes,
// so the result never depends on how a server formats its XML.

// maxLeanPage bounds the bytes of one answer read whole into memory.
const maxLeanPage = 64 << 20

// errNotLean says that an answer is not one the scanner reads.
var errNotLean = errors.New("answer is not made only of strings")

// RetrieveStrings is Retrieve for a spec whose paths all hold strings
// (such as name): it hands fn the same objects, each string property as
// a string value, and decodes them far faster where it can (see above).
func RetrieveStrings(ctx context.Context, c *Conn, spec types.PropertyFilterSpec, fn func(types.ObjectContent)) error {
	pc := c.vim.ServiceContent.PropertyCollector
	var req soap.HasFault = &methods.RetrievePropertiesExBody{Req: &types.RetrievePropertiesEx{
		This:    pc,
		SpecSet: []types.PropertyFilterSpec{spec},
	}}
	for {
		var res leanResult
		if err := c.vim.RoundTripper.RoundTrip(ctx, req, &res); err != nil {
			return err
		}
		for _, oc := range res.page.objects {
			fn(oc)
		}
		if res.page.token == "" {
			return nil
		}
		req = &methods.ContinueRetrievePropertiesExBody{Req: &types.ContinueRetrievePropertiesEx{This: pc, Token: res.page.token}}
	}
}

// leanResult is the answer to a retrieval RetrieveStrings sends, as
// leanTransport reads it.
type leanResult struct {
	page  leanPage
	fault *soap.Fault
}

// Fault returns the fault the server answered with, if any.
func (r *leanResult) Fault() *soap.Fault { return r.fault }

// leanPage is one page of a retrieval: its objects and the token of the
// next page, if any.
type leanPage struct {
	objects []types.ObjectContent
	token   string
}

// leanTransport is the bottom of a connection's transport, above
// govmomi's SOAP client: it answers the retrievals of RetrieveStrings
// (those whose result is a leanResult) itself, and passes every other
// request on.
type leanTransport struct{ soap *soap.Client }

func (t *leanTransport) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	lr, ok := res.(*leanResult)
	if !ok {
		return t.soap.RoundTrip(ctx, req, res)
	}
	body, ok, err := post(ctx, t.soap, req)
	if err != nil {
		return err
	}
	if ok {
		if lr.page, err = parseStrings(body); err == nil {
			return nil
		}
	}
	// govmomi decodes what the scanner does not read: a fault, a value of
	// another type.
	var result *types.RetrieveResult
	var fault *soap.Fault
	switch req.(type) {
	case *methods.RetrievePropertiesExBody:
		var b methods.RetrievePropertiesExBody
		err = decode(body, t.soap, &b)
		if fault = b.Fault_; b.Res != nil {
			result = b.Res.Returnval
		}
	case *methods.ContinueRetrievePropertiesExBody:
		var b methods.ContinueRetrievePropertiesExBody
		err = decode(body, t.soap, &b)
		if fault = b.Fault_; b.Res != nil {
			result = &b.Res.Returnval
		}
	default:
		return fmt.Errorf("a lean answer to %s, which is not a retrieval", MethodName(req))
	}
	switch {
	case err != nil:
		return fmt.Errorf("decode the answer to %s: %w", MethodName(req), err)
	case fault != nil:
		lr.fault = fault
		return soap.WrapSoapFault(fault)
	case result != nil:
		lr.page = leanPage{objects: result.Objects, token: result.Token}
	}
	return nil
}

// decode decodes a SOAP answer into body, as govmomi's SOAP client does.
func decode(b []byte, sc *soap.Client, body soap.HasFault) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.TypeFunc = sc.Types
	return d.Decode(&soap.Envelope{Body: body})
}

// post sends req as govmomi's SOAP client would, on the session's cookie,
// and returns the body of the answer, read whole (at most maxLeanPage
// bytes); ok is false for a fault (an HTTP 500), whose body explains it.
func post(ctx context.Context, sc *soap.Client, req any) (body []byte, ok bool, err error) {
	env := soap.Envelope{Body: req}
	if sc.Cookie != nil {
		if cookie := sc.Cookie(); cookie != nil {
			env.Header = &soap.Header{Cookie: cookie}
		}
	}
	b, err := xml.Marshal(env)
	if err != nil {
		return nil, false, err
	}
	hreq, err := http.NewRequest(http.MethodPost, sc.URL().String(), io.MultiReader(strings.NewReader(xml.Header), bytes.NewReader(b)))
	if err != nil {
		return nil, false, err
	}
	hreq.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	hreq.Header.Set("SOAPAction", sc.Namespace+"/"+sc.Version)
	err = sc.Do(ctx, hreq, func(res *http.Response) error {
		switch res.StatusCode {
		case http.StatusOK:
			ok = true
		case http.StatusInternalServerError:
		default:
			return fmt.Errorf("%s %s: %s", hreq.Method, hreq.URL.Path, res.Status)
		}
		body, err = io.ReadAll(io.LimitReader(res.Body, maxLeanPage+1))
		if err == nil && len(body) > maxLeanPage {
			err = fmt.Errorf("an answer of more than %d bytes", maxLeanPage)
		}
		return err
	})
	return body, ok, err
}

// parseStrings reads the returnval of a RetrievePropertiesEx or
// ContinueRetrievePropertiesEx answer whose every value is an xsd:string.
// It accepts only the shape it knows (any other is errNotLean):
//
//	<returnval><token>T</token>
//	  <objects><obj type="TYPE">ID</obj>
//	    <propSet><name>PATH</name><val xsi:type="xsd:string">TEXT</val></propSet>...
//	  </objects>...
//	</returnval>
func parseStrings(body []byte) (leanPage, error) {
	var page leanPage
	start := bytes.Index(body, []byte("<returnval>"))
	end := bytes.LastIndex(body, []byte("</returnval>"))
	if start < 0 || end < start {
		// Nothing found, a fault, or a body cut short: govmomi tells.
		return page, fmt.Errorf("no returnval: %w", errNotLean)
	}
	s := scanner{b: body[start+len("<returnval>") : end]}
	page.objects = make([]types.ObjectContent, 0, bytes.Count(s.b, []byte("<objects>")))
	for !s.done() {
		switch tag := s.open(); tag {
		case "token":
			page.token = s.text("token")
		case "objects":
			oc, err := s.object()
			if err != nil {
				return page, err
			}
			page.objects = append(page.objects, oc)
		default:
			return page, fmt.Errorf("<%s> in returnval: %w", tag, errNotLean)
		}
		if s.err != nil {
			return page, s.err
		}
	}
	return page, s.err
}

// scanner reads the few elements of a lean answer. Its first failure
// sticks in err, and every later read returns the zero value.
type scanner struct {
	b     []byte
	attrs []byte // of the element last opened
	err   error
}

func (s *scanner) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format+": %w", append(args, errNotLean)...)
	}
}

// done reports whether only white space is left, or reading failed.
func (s *scanner) done() bool {
	s.b = bytes.TrimLeft(s.b, " \t\r\n")
	return len(s.b) == 0 || s.err != nil
}

// open reads a start tag and returns its name; its attributes are in
// s.attrs. A closing tag, a comment or an instruction fails.
func (s *scanner) open() string {
	if s.done() {
		s.fail("an element expected at the end")
		return ""
	}
	if s.b[0] != '<' || len(s.b) < 2 || s.b[1] == '/' || s.b[1] == '!' || s.b[1] == '?' {
		s.fail("a start tag expected at %.20q", s.b)
		return ""
	}
	i := bytes.IndexByte(s.b, '>')
	if i < 0 || s.b[i-1] == '/' {
		s.fail("an unterminated or empty element at %.20q", s.b)
		return ""
	}
	tag := s.b[1:i]
	s.b = s.b[i+1:]
	name, attrs, _ := bytes.Cut(tag, []byte(" "))
	s.attrs = attrs
	return string(name)
}

// text reads the text of the element name, whose start tag was just
// read, through its end tag.
func (s *scanner) text(name string) string {
	if s.err != nil {
		return ""
	}
	i := bytes.IndexByte(s.b, '<')
	end := "</" + name + ">"
	if i < 0 || !bytes.HasPrefix(s.b[i:], []byte(end)) {
		s.fail("<%s> holds more than text", name)
		return ""
	}
	t := s.b[:i]
	s.b = s.b[i+len(end):]
	if bytes.IndexByte(t, '&') >= 0 {
		return html.UnescapeString(string(t))
	}
	return string(t)
}

// attr returns the value of the attribute name of the element last
// opened; a name starting with a colon matches any prefix (":type" is
// the schema instance's type, whichever prefix a server gives it).
func (s *scanner) attr(name string) string {
	a := s.attrs
	for {
		a = bytes.TrimLeft(a, " \t\r\n")
		eq := bytes.IndexByte(a, '=')
		if eq < 0 || eq+1 >= len(a) || (a[eq+1] != '"' && a[eq+1] != '\'') {
			return ""
		}
		end := bytes.IndexByte(a[eq+2:], a[eq+1])
		if end < 0 {
			return ""
		}
		key, val := a[:eq], a[eq+2:eq+2+end]
		if string(key) == name || (strings.HasPrefix(name, ":") && bytes.HasSuffix(key, []byte(name))) {
			return string(val)
		}
		a = a[eq+2+end+1:]
	}
}

// close reads the end tag of name, after optional white space.
func (s *scanner) close(name string) {
	s.b = bytes.TrimLeft(s.b, " \t\r\n")
	end := "</" + name + ">"
	if !bytes.HasPrefix(s.b, []byte(end)) {
		s.fail("<%s> holds more than expected", name)
		return
	}
	s.b = s.b[len(end):]
}

// closing reports whether the end tag of name comes next, after optional
// white space, and reads it if so.
func (s *scanner) closing(name string) bool {
	s.b = bytes.TrimLeft(s.b, " \t\r\n")
	if s.err != nil || !bytes.HasPrefix(s.b, []byte("</"+name+">")) {
		return false
	}
	s.close(name)
	return true
}

// object reads the rest of an objects element.
func (s *scanner) object() (types.ObjectContent, error) {
	var oc types.ObjectContent
	if s.open() != "obj" {
		s.fail("objects without obj first")
	}
	oc.Obj.Type = s.attr("type")
	oc.Obj.Value = s.text("obj")
	if oc.Obj.Type == "" {
		s.fail("obj without a type")
	}
	for s.err == nil && !s.closing("objects") {
		switch tag := s.open(); tag {
		case "propSet":
			if s.open() != "name" {
				s.fail("propSet without name first")
			}
			name := s.text("name")
			// The prefix of the schema instance namespace varies:
			// vCenter writes xsi:type, govmomi _XMLSchema-instance:type.
			if s.open() != "val" || s.attr(":type") != "xsd:string" {
				s.fail("%s: a value of type %q, not xsd:string", name, s.attr(":type"))
			}
			val := s.text("val")
			s.close("propSet")
			oc.PropSet = append(oc.PropSet, types.DynamicProperty{Name: name, Val: val})
		default: // a missingSet too: Retrieve hands it on
			s.fail("<%s> in objects", tag)
		}
	}
	return oc, s.err
}
