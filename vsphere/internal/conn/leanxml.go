package conn

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// A lean decode of property results and updates
//
// govmomi decodes a response with a reflective XML decoder at about 25
// MB/s, and a snapshot's RetrievePropertiesEx answers are most of what a
// load reads (4.9 MB at 2,000 VMs on plain vcsim): decoding them was all
// of vtui get vms' own CPU; a watch's WaitForUpdatesEx answers were most
// of the TUI's. leanRoundTripper decodes those answers with a scanner
// that knows their shape (objects, each with an obj and propSet name/val
// pairs; update sets, each object with a kind, an obj and changeSet
// name/op/val triples) and builds the values itself: the simple types a
// snapshot asks for (strings, numbers, booleans, references and lists of
// them) directly, any other through a decoder built once per type from
// its xml tags (leanvalue.go). A value of a type that decoder cannot
// read, a missingSet entry, a fault and any other method go through
// govmomi's own decoder, so that the results are the same Go values
// either way (TestLeanDecodeMatchesGovmomi,
// TestLeanDecodeUpdateSetMatchesGovmomi,
// TestLeanDecodeSnapshotsMatchGovmomi); Conn.Decodes counts which way
// each went.

// leanRoundTripper sends RetrievePropertiesEx,
// ContinueRetrievePropertiesEx and WaitForUpdatesEx itself, as
// soap.Client would (the session cookie, the SOAP action of sc's
// version), and decodes their answers leanly; it hands every other
// request to sc, and these too when ctx carries an operation ID for the
// header. (vtui sets no other SOAP header on them: soap.WithHeader is not
// used.) It sits at the bottom of the stack, under keep-alive and
// re-login: a long poll is cancelled with its ctx (sc.Do), and a fault
// comes back as soap.Client's error, so that those layers see the same.
type leanRoundTripper struct {
	sc    *soap.Client
	stats *leanStats
}

// DecodeCounts counts how a connection's property answers
// (RetrievePropertiesEx, its continuation, WaitForUpdatesEx) were
// decoded.
type DecodeCounts struct {
	// Lean counts the answers the lean decoder read; Govmomi those left
	// to govmomi's decoder whole: faults, those with an operation ID,
	// those of a shape the scanner does not know.
	Lean, Govmomi int64
	// GovmomiValues counts the values within lean answers that went
	// through govmomi's decoder: those of a type without a lean decoder
	// (leanvalue.go), and missingSet entries.
	GovmomiValues int64
}

// leanStats accumulates a connection's DecodeCounts.
type leanStats struct{ lean, govmomi, govmomiValues atomic.Int64 }

func (st *leanStats) counts() DecodeCounts {
	return DecodeCounts{Lean: st.lean.Load(), Govmomi: st.govmomi.Load(), GovmomiValues: st.govmomiValues.Load()}
}

func (l leanRoundTripper) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	// decode reads the method's answer into res; reset forgets what it
	// read, for govmomi to decode the answer instead.
	var decode func(*bufio.Reader) (govmomiValues int, err error)
	var reset func()
	switch res := res.(type) {
	case *methods.RetrievePropertiesExBody:
		reset = func() { res.Res = nil }
		decode = func(r *bufio.Reader) (int, error) { return decodeRetrievePropertiesEx(r, res, tokenSeen(ctx)) }
	case *methods.ContinueRetrievePropertiesExBody:
		reset = func() { res.Res = nil }
		decode = func(r *bufio.Reader) (int, error) {
			return decodeRetrieveResult(r, tokenSeen(ctx), func(bool) *types.RetrieveResult {
				res.Res = new(types.ContinueRetrievePropertiesExResponse)
				return &res.Res.Returnval
			})
		}
	case *methods.WaitForUpdatesExBody:
		reset = func() { res.Res = nil }
		decode = func(r *bufio.Reader) (int, error) { return decodeUpdateSet(r, res) }
	default:
		return l.sc.RoundTrip(ctx, req, res)
	}
	if _, ok := ctx.Value(types.ID{}).(string); ok {
		l.stats.govmomi.Add(1)
		return l.sc.RoundTrip(ctx, req, res) // an operation ID goes in a header
	}
	httpReq, err := l.request(req)
	if err != nil {
		return err
	}
	return l.sc.Do(ctx, httpReq, func(hr *http.Response) error {
		if hr.StatusCode != http.StatusOK {
			l.stats.govmomi.Add(1)
			return decodeSOAP(hr, res)
		}
		a := answers.Get().(*answer)
		defer answers.Put(a)
		a.body.Reset()
		if _, err := a.body.ReadFrom(hr.Body); err != nil {
			return err
		}
		body := a.body.Bytes()
		a.r.Reset(bytes.NewReader(body))
		values, err := decode(a.r)
		if err == nil {
			l.stats.lean.Add(1)
			l.stats.govmomiValues.Add(int64(values))
		}
		if errors.Is(err, errShape) {
			l.stats.govmomi.Add(1)
			// A shape the scanner does not know (an element a later
			// vSphere adds, say): govmomi reads the same bytes, as
			// soap.Client would have, and ignores what it does not know.
			reset()
			err = decodeEnvelope(bytes.NewReader(body), res)
		}
		if err != nil {
			return fmt.Errorf("decode %s response: %w", MethodName(req), err)
		}
		return nil
	})
}

// answer holds an answer's bytes as read, and a reader of them. The
// values decoded from it do not refer to its bytes, so it is reused: a
// page of a watch's load is a megabyte, and reading each of the 90 pages
// at 45,000 VMs into a new buffer, grown by doubling, made twice that of
// garbage a page.
type answer struct {
	body bytes.Buffer
	r    *bufio.Reader
}

var answers = sync.Pool{New: func() any { return &answer{r: bufio.NewReaderSize(nil, 64<<10)} }}

// request builds the HTTP request soap.Client would send for req.
func (l leanRoundTripper) request(req soap.HasFault) (*http.Request, error) {
	env := soap.Envelope{Body: req}
	if l.sc.Cookie != nil {
		if c := l.sc.Cookie(); c != nil {
			env.Header = &soap.Header{Cookie: c}
		}
	}
	b, err := xml.Marshal(env)
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequest(http.MethodPost, l.sc.URL().String(), io.MultiReader(strings.NewReader(xml.Header), bytes.NewReader(b)))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	r.Header.Set("SOAPAction", l.sc.Namespace+"/"+l.sc.Version)
	return r, nil
}

// decodeSOAP decodes a response as soap.Client does: a fault, typically,
// which it returns as soap.Client's error.
func decodeSOAP(hr *http.Response, res soap.HasFault) error {
	if hr.StatusCode != http.StatusInternalServerError {
		return fmt.Errorf("%s: %s", hr.Request.URL.Redacted(), hr.Status)
	}
	return decodeEnvelope(hr.Body, res)
}

// decodeEnvelope decodes a SOAP answer from r into res with govmomi's
// decoder, returning its fault as soap.Client's error.
func decodeEnvelope(r io.Reader, res soap.HasFault) error {
	dec := xml.NewDecoder(r)
	dec.TypeFunc = types.TypeFunc()
	if err := dec.Decode(&soap.Envelope{Body: res}); err != nil {
		return err
	}
	if f := res.Fault(); f != nil {
		return soap.WrapSoapFault(f)
	}
	return nil
}

// errShape says the answer is not shaped as a property result.
var errShape = errors.New("unexpected XML")

// decodeRetrieveResult reads a RetrievePropertiesEx or
// ContinueRetrievePropertiesEx answer from r into the result that result
// makes (see leanRoundTripper.RoundTrip), calling onToken, if set, with
// its token as soon as it is read. It returns how many values it left to
// govmomi's decoder.
func decodeRetrieveResult(r *bufio.Reader, onToken func(string), result func(returnval bool) *types.RetrieveResult) (int, error) {
	return decodeResponse(r, func(s *scanner) error {
		s.onToken = onToken
		return s.retrieveResult(result(true))
	}, func() { result(false) })
}

// decodeRetrievePropertiesEx reads a RetrievePropertiesEx answer from r
// into res; its returnval is nil when nothing matched. It returns how
// many values it left to govmomi's decoder.
func decodeRetrievePropertiesEx(r *bufio.Reader, res *methods.RetrievePropertiesExBody, onToken func(string)) (int, error) {
	return decodeRetrieveResult(r, onToken, func(returnval bool) *types.RetrieveResult {
		res.Res = new(types.RetrievePropertiesExResponse)
		if returnval {
			res.Res.Returnval = new(types.RetrieveResult)
		}
		return res.Res.Returnval
	})
}

// decodeUpdateSet reads a WaitForUpdatesEx answer from r into res; its
// returnval is nil when the wait ended without changes. It returns how
// many values it left to govmomi's decoder.
func decodeUpdateSet(r *bufio.Reader, res *methods.WaitForUpdatesExBody) (int, error) {
	res.Res = new(types.WaitForUpdatesExResponse)
	return decodeResponse(r, func(s *scanner) error {
		res.Res.Returnval = new(types.UpdateSet)
		return s.updateSet(res.Res.Returnval)
	}, func() {})
}

// decodeResponse reads a SOAP answer from r down to the method's
// response, and calls returnval to read its returnval, or none if it has
// none. It returns how many values went through govmomi's decoder.
func decodeResponse(r *bufio.Reader, returnval func(*scanner) error, none func()) (int, error) {
	s := &scanner{r: r, names: map[string]string{}}
	err := s.response(returnval, none)
	return s.govmomiValues, err
}

// response reads the answer; see decodeResponse.
func (s *scanner) response(returnval func(*scanner) error, none func()) error {
	// Down to the method's response: Envelope, Body, the response.
	for depth := 0; depth < 3; {
		tok, err := s.next()
		if err != nil {
			return err
		}
		switch {
		case tok.kind != tokEnd && depth == 1 && tok.local == "Header":
			if err := s.skip(); err != nil {
				return err
			}
		case tok.kind != tokEnd && depth == 2 && tok.local == "Fault":
			return fmt.Errorf("%w: a fault in a successful answer", errShape)
		case tok.kind != tokEnd:
			depth++
		default:
			return fmt.Errorf("%w: an end before the response", errShape)
		}
	}
	seen := false
	for {
		tok, err := s.next()
		switch {
		case err != nil:
			return err
		case tok.kind == tokEnd: // the response's
			if !seen {
				none()
			}
			return nil
		case tok.local != "returnval" || seen:
			return fmt.Errorf("%w: <%s> in the response", errShape, tok.local)
		}
		seen = true
		if err := returnval(s); err != nil {
			return err
		}
	}
}

// children calls fn with each child element of the element just started,
// up to its end, which it consumes.
func (s *scanner) children(fn func(tok token) error) error {
	for {
		tok, err := s.next()
		if err != nil {
			return err
		}
		if tok.kind == tokEnd {
			return nil
		}
		if err := fn(tok); err != nil {
			return err
		}
	}
}

// unexpected is the error of a child element that has no place in its
// parent.
func unexpected(tok token, in string) error {
	return fmt.Errorf("%w: <%s> in %s", errShape, tok.local, in)
}

// retrieveResult reads a returnval's token and objects.
func (s *scanner) retrieveResult(rr *types.RetrieveResult) error {
	return s.children(func(tok token) (err error) {
		switch tok.local {
		case "token":
			if rr.Token, err = s.text(); err == nil && s.onToken != nil {
				s.onToken(rr.Token)
			}
		case "objects":
			rr.Objects = append(rr.Objects, types.ObjectContent{})
			err = s.objectContent(&rr.Objects[len(rr.Objects)-1])
		default:
			err = unexpected(tok, "a returnval")
		}
		return err
	})
}

// objectContent reads one object: its obj, propSet and missingSet.
func (s *scanner) objectContent(oc *types.ObjectContent) error {
	return s.children(func(tok token) (err error) {
		switch tok.local {
		case "obj":
			oc.Obj, err = s.ref(tok)
		case "propSet":
			oc.PropSet = append(oc.PropSet, types.DynamicProperty{})
			err = s.dynamicProperty(&oc.PropSet[len(oc.PropSet)-1])
		case "missingSet":
			var m types.MissingProperty
			m, err = missing[types.MissingProperty](s, tok)
			oc.MissingSet = append(oc.MissingSet, m)
		default:
			err = unexpected(tok, "an object")
		}
		return err
	})
}

// dynamicProperty reads one propSet: its name and val.
func (s *scanner) dynamicProperty(p *types.DynamicProperty) error {
	return s.children(func(tok token) (err error) {
		switch tok.local {
		case "name":
			p.Name, err = s.internedText()
		case "val":
			p.Val, err = s.value(tok)
		default:
			err = unexpected(tok, "a propSet")
		}
		return err
	})
}

// missing reads a missingSet entry, a MissingProperty or a
// MissingObject, through govmomi: it holds a fault.
func missing[M any](s *scanner, tok token) (M, error) {
	var m struct {
		M M `xml:"missingSet"`
	}
	err := s.govmomi(tok, &m)
	return m.M, err
}

// updateSet reads a returnval of WaitForUpdatesEx: its version, filterSet
// and truncated.
func (s *scanner) updateSet(us *types.UpdateSet) error {
	return s.children(func(tok token) (err error) {
		switch tok.local {
		case "version":
			us.Version, err = s.text()
		case "filterSet":
			us.FilterSet = append(us.FilterSet, types.PropertyFilterUpdate{})
			err = s.filterUpdate(&us.FilterSet[len(us.FilterSet)-1])
		case "truncated":
			var t bool
			t, err = s.bool()
			us.Truncated = &t
		default:
			err = unexpected(tok, "an update set")
		}
		return err
	})
}

// filterUpdate reads one filterSet: its filter, objectSet and missingSet.
func (s *scanner) filterUpdate(fu *types.PropertyFilterUpdate) error {
	return s.children(func(tok token) (err error) {
		switch tok.local {
		case "filter":
			fu.Filter, err = s.ref(tok)
		case "objectSet":
			fu.ObjectSet = append(fu.ObjectSet, types.ObjectUpdate{})
			err = s.objectUpdate(&fu.ObjectSet[len(fu.ObjectSet)-1])
		case "missingSet":
			var m types.MissingObject
			m, err = missing[types.MissingObject](s, tok)
			fu.MissingSet = append(fu.MissingSet, m)
		default:
			err = unexpected(tok, "a filterSet")
		}
		return err
	})
}

// objectUpdate reads one objectSet: its kind, obj, changeSet and
// missingSet.
func (s *scanner) objectUpdate(ou *types.ObjectUpdate) error {
	return s.children(func(tok token) (err error) {
		switch tok.local {
		case "kind":
			var kind string
			kind, err = s.internedText()
			ou.Kind = types.ObjectUpdateKind(kind)
		case "obj":
			ou.Obj, err = s.ref(tok)
		case "changeSet":
			ou.ChangeSet = append(ou.ChangeSet, types.PropertyChange{})
			err = s.propertyChange(&ou.ChangeSet[len(ou.ChangeSet)-1])
		case "missingSet":
			var m types.MissingProperty
			m, err = missing[types.MissingProperty](s, tok)
			ou.MissingSet = append(ou.MissingSet, m)
		default:
			err = unexpected(tok, "an objectSet")
		}
		return err
	})
}

// propertyChange reads one changeSet: its name, op and val.
func (s *scanner) propertyChange(pc *types.PropertyChange) error {
	return s.children(func(tok token) (err error) {
		switch tok.local {
		case "name":
			pc.Name, err = s.internedText()
		case "op":
			var op string
			op, err = s.internedText()
			pc.Op = types.PropertyChangeOp(op)
		case "val":
			pc.Val, err = s.value(tok)
		default:
			err = unexpected(tok, "a changeSet")
		}
		return err
	})
}

// ref reads the reference that tok starts.
func (s *scanner) ref(tok token) (types.ManagedObjectReference, error) {
	ref := types.ManagedObjectReference{Type: s.intern(tok.attr("", "type")), ServerGUID: tok.attr("", "serverGuid")}
	var err error
	ref.Value, err = s.text()
	return ref, err
}

// value reads the val that tok starts: the commonest simple types here,
// any other as an interface field (leanvalue.go).
func (s *scanner) value(tok token) (any, error) {
	typ := tok.xsiType()
	switch typ {
	case "xsd:string":
		return s.text()
	case "xsd:boolean":
		return s.bool()
	case "xsd:int":
		n, err := s.int(32)
		return int32(n), err
	case "xsd:long":
		return s.int(64)
	case "xsd:short":
		n, err := s.int(16)
		return int16(n), err
	case "ManagedObjectReference":
		return s.ref(tok)
	case "ArrayOfManagedObjectReference":
		var refs types.ArrayOfManagedObjectReference
		err := s.children(func(tok token) error {
			if tok.local != "ManagedObjectReference" || tok.xsiType() != "" && tok.xsiType() != "ManagedObjectReference" {
				return unexpected(tok, "a list of references")
			}
			ref, err := s.ref(tok)
			refs.ManagedObjectReference = append(refs.ManagedObjectReference, ref)
			return err
		})
		return refs, err
	}
	var v struct{ Val types.AnyType }
	err := decodeInterface(s, tok, reflect.ValueOf(&v).Elem().Field(0))
	return v.Val, err
}

// bool reads a boolean; empty is false, as govmomi reads it.
func (s *scanner) bool() (bool, error) {
	t, err := s.textBytes()
	switch {
	case err != nil || len(t) == 0:
		return false, err
	case string(t) == "true":
		return true, nil
	case string(t) == "false":
		return false, nil
	}
	return strconv.ParseBool(strings.TrimSpace(string(t)))
}

// int reads an integer of bits bits; empty is zero, as govmomi reads it.
func (s *scanner) int(bits int) (int64, error) {
	t, err := s.textBytes()
	if err != nil || len(t) == 0 {
		return 0, err
	}
	if n, ok := decimal(t, bits); ok {
		return n, nil
	}
	return strconv.ParseInt(strings.TrimSpace(string(t)), 10, bits)
}

// decimal parses b, an optional minus and up to 18 digits, as an integer
// of bits bits, without allocating; ok is false for anything else, which
// strconv.ParseInt reads (or refuses).
func decimal(b []byte, bits int) (n int64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	if limit := int64(1) << (bits - 1); bits < 64 && (n < -limit || n >= limit) {
		return 0, false // out of range: ParseInt's error
	}
	return n, true
}

// govmomi decodes the element tok starts, in the namespaces in scope,
// with govmomi's decoder into v, a struct whose one field is tagged with
// the element's name.
func (s *scanner) govmomi(tok token, v any) error {
	var b bytes.Buffer
	b.WriteString("<x")
	for _, ns := range s.nsStack {
		writeAttr(&b, ns)
	}
	b.WriteString(">")
	b.WriteString("<" + tok.qname())
	for _, a := range tok.attrs {
		writeAttr(&b, a)
	}
	if tok.kind == tokEmpty {
		b.WriteString("/>")
		_ = s.skip() // its pending end
	} else {
		b.WriteString(">")
		s.rec = &b
		err := s.skip()
		s.rec = nil
		if err != nil {
			return err
		}
	}
	b.WriteString("</x>")
	s.govmomiValues++
	dec := xml.NewDecoder(&b)
	dec.TypeFunc = types.TypeFunc()
	return dec.Decode(v)
}

func writeAttr(b *bytes.Buffer, a attr) {
	b.WriteString(" ")
	if a.prefix != "" {
		b.WriteString(a.prefix + ":")
	}
	b.WriteString(a.local + `="`)
	_ = xml.EscapeText(b, []byte(a.value))
	b.WriteString(`"`)
}

// intern returns str, one copy of each distinct string: property paths,
// types and element names repeat for every object.
func (s *scanner) intern(str string) string {
	if v, ok := s.names[str]; ok {
		return v
	}
	if len(s.names) < maxInterned {
		s.names[str] = str
	}
	return str
}

// internBytes is intern of string(b), which it allocates only once.
func (s *scanner) internBytes(b []byte) string {
	if v, ok := s.names[string(b)]; ok {
		return v
	}
	return s.intern(string(b))
}

// maxInterned bounds the strings a scanner keeps.
const maxInterned = 1024

// The scanner: the XML of SOAP answers, streamed. It reads elements,
// attributes, character data with entity and character references,
// CDATA sections, comments and processing instructions; a DOCTYPE is
// refused, as SOAP forbids one. Names keep their prefixes apart; the
// namespace declarations in scope are kept for govmomi's decoder.

type tokKind uint8

const (
	tokStart tokKind = iota + 1 // <a>
	tokEmpty                    // <a/>: a start that is its own end
	tokEnd                      // </a>
)

type attr struct{ prefix, local, value string }

type token struct {
	kind          tokKind
	prefix, local string
	// attrs are valid until the scanner reads the next token: it
	// reuses their array.
	attrs []attr
}

func (t token) qname() string {
	if t.prefix != "" {
		return t.prefix + ":" + t.local
	}
	return t.local
}

// attr returns the value of the attribute named prefix:local, "" if none.
func (t token) attr(prefix, local string) string {
	for _, a := range t.attrs {
		if a.prefix == prefix && a.local == local {
			return a.value
		}
	}
	return ""
}

// xsiType returns the element's xsi:type: the one prefixed attribute
// named type in vSphere's answers.
func (t token) xsiType() string {
	for _, a := range t.attrs {
		if a.prefix != "" && a.prefix != "xmlns" && a.local == "type" {
			return a.value
		}
	}
	return ""
}

type scanner struct {
	r *bufio.Reader
	// rec, if set, receives every byte read.
	rec *bytes.Buffer
	// nsStack holds the namespace declarations of the open elements;
	// nsLen the stack's length at each open element.
	nsStack []attr
	nsLen   []int
	names   map[string]string
	// pending is an empty element's end, which next returns after it.
	pending bool
	// buf holds text and attribute values as they are read, nbuf names.
	buf, nbuf []byte
	// govmomiValues counts the values read through govmomi's decoder.
	govmomiValues int
	// onToken, if set, is called with a retrieval's token as soon as it
	// is read: before the objects, which follow it (see Retrieve).
	onToken func(string)
	// attrs holds the last tag's attributes.
	attrs []attr
}

func (s *scanner) readByte() (byte, error) {
	c, err := s.r.ReadByte()
	if err == nil && s.rec != nil {
		s.rec.WriteByte(c)
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return c, err
}

// unreadByte unreads the byte readByte read last, and takes it back
// from rec.
func (s *scanner) unreadByte() error {
	if err := s.r.UnreadByte(); err != nil {
		return err
	}
	if s.rec != nil {
		s.rec.Truncate(s.rec.Len() - 1)
	}
	return nil
}

// endPending consumes the pending end of an empty element, if there is
// one, and reports whether there was.
func (s *scanner) endPending() bool {
	if !s.pending {
		return false
	}
	s.pending = false
	s.pop()
	return true
}

// next returns the next start or end of an element, skipping character
// data, comments and processing instructions between them. An empty
// element comes as its start (tokEmpty) and then its end.
func (s *scanner) next() (token, error) {
	if s.endPending() {
		return token{kind: tokEnd}, nil
	}
	for {
		if err := s.skipTo('<'); err != nil {
			return token{}, err
		}
		tok, ok, err := s.markup()
		if err != nil || ok {
			return tok, err
		}
	}
}

// skipTo reads up to and including the next c.
func (s *scanner) skipTo(c byte) error {
	for {
		b, err := s.r.ReadSlice(c)
		if s.rec != nil {
			s.rec.Write(b)
		}
		switch {
		case err == nil:
			return nil
		case err == io.EOF:
			return io.ErrUnexpectedEOF
		case !errors.Is(err, bufio.ErrBufferFull):
			return err
		}
	}
}

// markup reads what follows a '<': a tag (ok), or a comment, a processing
// instruction or a CDATA section outside text (skipped).
func (s *scanner) markup() (tok token, ok bool, err error) {
	c, err := s.readByte()
	if err != nil {
		return tok, false, err
	}
	switch c {
	case '?':
		return tok, false, s.skipPast("?>")
	case '!':
		return tok, false, s.bang(nil)
	case '/':
		// An end tag: its name is its start's (the answer is well
		// formed, or govmomi would fail it too).
		if err := s.skipTo('>'); err != nil {
			return tok, false, err
		}
		s.pop()
		return token{kind: tokEnd}, true, nil
	}
	if err := s.unreadByte(); err != nil {
		return tok, false, err
	}
	name, err := s.name()
	if err != nil {
		return tok, false, err
	}
	tok.kind = tokStart
	tok.prefix, tok.local = splitName(name)
	tok.attrs = s.attrs[:0]
	s.nsLen = append(s.nsLen, len(s.nsStack))
	for {
		c, err := s.space()
		if err != nil {
			return tok, false, err
		}
		switch c {
		case '>':
			return tok, true, nil
		case '/':
			if c, err = s.readByte(); err != nil {
				return tok, false, err
			}
			if c != '>' {
				return tok, false, fmt.Errorf("%w: '/' in <%s>", errShape, name)
			}
			tok.kind = tokEmpty
			s.pending = true
			return tok, true, nil
		}
		if err := s.unreadByte(); err != nil {
			return tok, false, err
		}
		a, err := s.attr()
		if err != nil {
			return tok, false, err
		}
		tok.attrs = append(tok.attrs, a)
		s.attrs = tok.attrs // its array, for the next tag's
		if a.prefix == "xmlns" || a.prefix == "" && a.local == "xmlns" {
			s.nsStack = append(s.nsStack, a)
		}
	}
}

// pop closes the innermost element's namespace scope.
func (s *scanner) pop() {
	if n := len(s.nsLen); n > 0 {
		s.nsStack = s.nsStack[:s.nsLen[n-1]]
		s.nsLen = s.nsLen[:n-1]
	}
}

func splitName(name string) (prefix, local string) {
	if p, l, ok := strings.Cut(name, ":"); ok {
		return p, l
	}
	return "", name
}

// name reads a name up to a space, '=', '/' or '>'.
func (s *scanner) name() (string, error) {
	// Mostly the whole name is buffered: intern it from there.
	buf, _ := s.r.Peek(s.r.Buffered())
	for n, c := range buf {
		if nameEnds[c] {
			if n == 0 {
				break
			}
			name := s.internBytes(buf[:n])
			if s.rec != nil {
				s.rec.Write(buf[:n])
			}
			_, _ = s.r.Discard(n)
			return name, nil
		}
	}
	var err error
	s.nbuf, err = s.readTo(s.nbuf[:0], &nameEnds)
	if err != nil {
		return "", err
	}
	if len(s.nbuf) == 0 {
		return "", fmt.Errorf("%w: an empty name", errShape)
	}
	return s.internBytes(s.nbuf), nil
}

// nameEnds are the bytes that end a name, and those a name cannot hold.
var nameEnds = byteSet(" \t\r\n=/><\"'")

func byteSet(s string) (set [256]bool) {
	for _, c := range []byte(s) {
		set[c] = true
	}
	return set
}

// readTo appends to dst the bytes up to the first one in ends, which it
// leaves unread.
func (s *scanner) readTo(dst []byte, ends *[256]bool) ([]byte, error) {
	for {
		if s.r.Buffered() == 0 {
			if _, err := s.r.Peek(1); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return dst, err
			}
		}
		buf, _ := s.r.Peek(s.r.Buffered())
		n := 0
		for n < len(buf) && !ends[buf[n]] {
			n++
		}
		dst = append(dst, buf[:n]...)
		if s.rec != nil {
			s.rec.Write(buf[:n])
		}
		_, _ = s.r.Discard(n)
		if n < len(buf) {
			return dst, nil
		}
	}
}

// space skips white space and returns the byte after it.
func (s *scanner) space() (byte, error) {
	for {
		c, err := s.readByte()
		if err != nil || !isSpace(c) {
			return c, err
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// attr reads name="value" (or 'value').
func (s *scanner) attr() (attr, error) {
	name, err := s.name()
	if err != nil {
		return attr{}, err
	}
	c, err := s.space()
	if err != nil {
		return attr{}, err
	}
	if c != '=' {
		return attr{}, fmt.Errorf("%w: attribute %s without a value", errShape, name)
	}
	q, err := s.space()
	if err != nil {
		return attr{}, err
	}
	if q != '"' && q != '\'' {
		return attr{}, fmt.Errorf("%w: attribute %s unquoted", errShape, name)
	}
	ends := &valueEnds[0]
	if q == '\'' {
		ends = &valueEnds[1]
	}
	if s.buf, err = s.readTo(s.buf[:0], ends); err != nil {
		return attr{}, err
	}
	if c, err = s.readByte(); err == nil && c != q {
		err = fmt.Errorf("%w: '<' in attribute %s", errShape, name)
	}
	if err != nil {
		return attr{}, err
	}
	v, err := unescapeBytes(s.buf)
	if err != nil {
		return attr{}, err
	}
	a := attr{value: s.internBytes(v)}
	a.prefix, a.local = splitName(name)
	return a, nil
}

// valueEnds end an attribute's value in double and single quotes.
var valueEnds = [2][256]bool{byteSet(`"<`), byteSet(`'<`)}

// skipPast reads up to and including end.
func (s *scanner) skipPast(end string) error { return s.readPast(end, nil) }

// readPast reads up to and including end, appending what comes before
// end to keep if it is set.
func (s *scanner) readPast(end string, keep *[]byte) error {
	var tail []byte // the last bytes read, up to len(end)
	for {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		if keep != nil {
			*keep = append(*keep, c)
		}
		if len(tail) == len(end) {
			tail = append(tail[:0], tail[1:]...)
		}
		tail = append(tail, c)
		if string(tail) == end {
			if keep != nil {
				*keep = (*keep)[:len(*keep)-len(end)]
			}
			return nil
		}
	}
}

// bang reads what follows "<!": a comment, or a CDATA section, whose
// text it appends to text if text is set.
func (s *scanner) bang(text *[]byte) error {
	c, err := s.readByte()
	if err != nil {
		return err
	}
	switch c {
	case '-':
		if c, err = s.readByte(); err == nil && c != '-' {
			err = fmt.Errorf("%w: '<!-' not a comment", errShape)
		}
		if err != nil {
			return err
		}
		return s.skipPast("-->")
	case '[':
		for _, want := range []byte("CDATA[") {
			if c, err = s.readByte(); err == nil && c != want {
				err = fmt.Errorf("%w: '<![' not CDATA", errShape)
			}
			if err != nil {
				return err
			}
		}
		return s.readPast("]]>", text)
	}
	return fmt.Errorf("%w: '<!%c' (a DOCTYPE?) in a SOAP answer", errShape, c)
}

// text reads the character data of the element just started, up to its
// end, which it consumes; an element inside is an error. An empty
// element's text is "".
func (s *scanner) text() (string, error) {
	b, err := s.textBytes()
	return string(b), err
}

// internedText is text, interned: a name or a kind, which repeat.
func (s *scanner) internedText() (string, error) {
	b, err := s.textBytes()
	return s.internBytes(b), err
}

// textBytes is text in a buffer of the scanner's, valid until it reads
// on.
func (s *scanner) textBytes() ([]byte, error) {
	if s.endPending() {
		return nil, nil
	}
	s.buf = s.buf[:0] // text still to unescape
	var done []byte   // text before a CDATA section, unescaped, and the section's
	for {
		b, err := s.r.ReadSlice('<')
		if s.rec != nil {
			s.rec.Write(b)
		}
		switch {
		case err == nil:
			s.buf = append(s.buf, b[:len(b)-1]...)
		case errors.Is(err, bufio.ErrBufferFull):
			s.buf = append(s.buf, b...)
			continue
		case err == io.EOF:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
		c, err := s.readByte()
		if err != nil {
			return nil, err
		}
		switch c {
		case '/':
			if err := s.skipTo('>'); err != nil {
				return nil, err
			}
			s.pop()
			if done == nil {
				return unescapeBytes(s.buf)
			}
			t, err := unescape(s.buf)
			return append(done, t...), err
		case '!':
			t, err := unescape(s.buf)
			if err != nil {
				return nil, err
			}
			done = append(done, t...)
			s.buf = s.buf[:0]
			if err := s.bang(&s.buf); err != nil {
				return nil, err
			}
			done = append(done, newlines(s.buf)...)
			s.buf = s.buf[:0]
		case '?':
			if err := s.skipPast("?>"); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: an element inside a simple value", errShape)
		}
	}
}

// skip reads up to and including the end of the element just started.
func (s *scanner) skip() error {
	if s.endPending() {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := s.next()
		if err != nil {
			return err
		}
		if tok.kind == tokEnd {
			depth--
		} else {
			depth++
		}
	}
	return nil
}

// unescapeBytes is unescape, which returns b itself when it has nothing
// to replace.
func unescapeBytes(b []byte) ([]byte, error) {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return b, nil
	}
	t, err := unescape(b)
	return []byte(t), err
}

// unescape replaces entity and character references in b, which it may
// change.
// Line ends become "\n" first, as XML wants and govmomi's decoder does.
func unescape(b []byte) (string, error) {
	b = newlines(b)
	i := bytes.IndexByte(b, '&')
	if i < 0 {
		return string(b), nil
	}
	var out strings.Builder
	out.Grow(len(b))
	for i >= 0 {
		out.Write(b[:i])
		b = b[i+1:]
		end := bytes.IndexByte(b, ';')
		if end < 0 {
			return "", fmt.Errorf("%w: '&' without ';'", errShape)
		}
		ref := string(b[:end])
		b = b[end+1:]
		switch ref {
		case "lt":
			out.WriteByte('<')
		case "gt":
			out.WriteByte('>')
		case "amp":
			out.WriteByte('&')
		case "apos":
			out.WriteByte('\'')
		case "quot":
			out.WriteByte('"')
		default:
			num, ok := strings.CutPrefix(ref, "#")
			if !ok {
				return "", fmt.Errorf("%w: unknown entity &%s;", errShape, ref)
			}
			base := 10
			if hex, ok := strings.CutPrefix(num, "x"); ok {
				num, base = hex, 16
			}
			n, err := strconv.ParseUint(num, base, 32)
			if err != nil || !utf8.ValidRune(rune(n)) {
				return "", fmt.Errorf("%w: bad character reference &%s;", errShape, ref)
			}
			out.WriteRune(rune(n))
		}
		i = bytes.IndexByte(b, '&')
	}
	out.Write(b)
	return out.String(), nil
}

// newlines turns the line ends "\r\n" and "\r" of b into "\n", in place.
func newlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := b[:0]
	for i, c := range b {
		switch {
		case c != '\r':
			out = append(out, c)
		case i+1 == len(b) || b[i+1] != '\n':
			out = append(out, '\n')
		}
	}
	return out
}
