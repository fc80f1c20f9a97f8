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
// RetrievePropertiesEx any server answers, and reads the answer itself
// only while it has exactly that shape; on anything else (a value of
// another type, a fault, markup it does not expect) it lets govmomi do the
// whole retrieval again, so the result never depends on how a server
// formats its XML.

// maxLeanPage bounds the bytes of one page read whole into memory.
const maxLeanPage = 64 << 20

// errNotLean says that an answer is not one RetrieveStrings reads itself.
var errNotLean = errors.New("answer is not made only of strings")

// RetrieveStrings is Retrieve for a spec whose paths all hold strings
// (such as name): it hands fn the same objects, each string property as
// a string value, and decodes them far faster where it can (see above).
func RetrieveStrings(ctx context.Context, c *Conn, spec types.PropertyFilterSpec, fn func(types.ObjectContent)) error {
	pc := c.vim.ServiceContent.PropertyCollector
	var objects []types.ObjectContent
	page, err := c.leanCall(ctx, &methods.RetrievePropertiesExBody{Req: &types.RetrievePropertiesEx{
		This:    pc,
		SpecSet: []types.PropertyFilterSpec{spec},
	}})
	for err == nil {
		objects = append(objects, page.objects...)
		if page.token == "" {
			break
		}
		page, err = c.leanCall(ctx, &methods.ContinueRetrievePropertiesExBody{Req: &types.ContinueRetrievePropertiesEx{This: pc, Token: page.token}})
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.log.Debug("lean retrieval fell back to govmomi's decoding", "err", err)
		return Retrieve(ctx, c, spec, fn)
	}
	for _, oc := range objects {
		fn(oc)
	}
	return nil
}

// leanPage is one page of a retrieval: its objects and the token of the
// next page, if any.
type leanPage struct {
	objects []types.ObjectContent
	token   string
}

// leanCall sends req as govmomi's SOAP client would, on the session's
// cookie, and reads the answer with parseStrings. Any answer but a 200
// whose body parseStrings reads is an error.
func (c *Conn) leanCall(ctx context.Context, req any) (leanPage, error) {
	body, ok, err := c.post(ctx, req)
	if err != nil {
		return leanPage{}, err
	}
	if !ok {
		return leanPage{}, fmt.Errorf("a fault: %w", errNotLean)
	}
	return parseStrings(body)
}

// post sends req as govmomi's SOAP client would, on the session's cookie,
// and returns the body of the answer, read whole (at most maxLeanPage
// bytes); ok is false for a fault (an HTTP 500), whose body explains it.
// It skips the connection's round trippers (re-login, read-only), so it
// is only for requests that change nothing.
func (c *Conn) post(ctx context.Context, req any) (body []byte, ok bool, err error) {
	env := soap.Envelope{Body: req}
	if c.soap.Cookie != nil {
		if cookie := c.soap.Cookie(); cookie != nil {
			env.Header = &soap.Header{Cookie: cookie}
		}
	}
	b, err := xml.Marshal(env)
	if err != nil {
		return nil, false, err
	}
	hreq, err := http.NewRequest(http.MethodPost, c.soap.URL().String(), io.MultiReader(strings.NewReader(xml.Header), bytes.NewReader(b)))
	if err != nil {
		return nil, false, err
	}
	hreq.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	hreq.Header.Set("SOAPAction", c.soap.Namespace+"/"+c.soap.Version)
	err = c.soap.Do(ctx, hreq, func(res *http.Response) error {
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
