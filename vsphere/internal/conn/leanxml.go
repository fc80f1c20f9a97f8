package conn

import (
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
	var decode func([]byte) (govmomiValues int, err error)
	var reset func()
	switch res := res.(type) {
	case *methods.RetrievePropertiesExBody:
		reset = func() { res.Res = nil }
		decode = func(b []byte) (int, error) { return decodeRetrievePropertiesEx(b, res, tokenSeen(ctx)) }
	case *methods.ContinueRetrievePropertiesExBody:
		reset = func() { res.Res = nil }
		decode = func(b []byte) (int, error) {
			return decodeRetrieveResult(b, tokenSeen(ctx), func(bool) *types.RetrieveResult {
				res.Res = new(types.ContinueRetrievePropertiesExResponse)
				return &res.Res.Returnval
			})
		}
	case *methods.WaitForUpdatesExBody:
		reset = func() { res.Res = nil }
		decode = func(b []byte) (int, error) { return decodeUpdateSet(b, res) }
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
		values, err := decode(body)
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

// answer holds an answer's bytes as read, which the scanner reads in
// place: they are all there before it starts, for govmomi's decoder to
// read again if the scanner does not know their shape. The values decoded
// from them do not refer to them, so the buffer is reused: a page of a
// watch's load is a megabyte, and reading each of the 90 pages at 45,000
// VMs into a new buffer, grown by doubling, made twice that of garbage a
// page.
type answer struct{ body bytes.Buffer }

var answers = sync.Pool{New: func() any { return new(answer) }}

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
// ContinueRetrievePropertiesEx answer, in, into the result that result
// makes (see leanRoundTripper.RoundTrip), calling onToken, if set, with
// its token as soon as it is read. It returns how many values it left to
// govmomi's decoder.
func decodeRetrieveResult(in []byte, onToken func(string), result func(returnval bool) *types.RetrieveResult) (int, error) {
	return decodeResponse(in, func(s *scanner) error {
		s.onToken = onToken
		return s.retrieveResult(result(true))
	}, func() { result(false) })
}

// decodeRetrievePropertiesEx reads a RetrievePropertiesEx answer, in,
// into res; its returnval is nil when nothing matched. It returns how
// many values it left to govmomi's decoder.
func decodeRetrievePropertiesEx(in []byte, res *methods.RetrievePropertiesExBody, onToken func(string)) (int, error) {
	return decodeRetrieveResult(in, onToken, func(returnval bool) *types.RetrieveResult {
		res.Res = new(types.RetrievePropertiesExResponse)
		if returnval {
			res.Res.Returnval = new(types.RetrieveResult)
		}
		return res.Res.Returnval
	})
}

// decodeUpdateSet reads a WaitForUpdatesEx answer, in, into res; its
// returnval is nil when the wait ended without changes. It returns how
// many values it left to govmomi's decoder.
func decodeUpdateSet(in []byte, res *methods.WaitForUpdatesExBody) (int, error) {
	res.Res = new(types.WaitForUpdatesExResponse)
	return decodeResponse(in, func(s *scanner) error {
		res.Res.Returnval = new(types.UpdateSet)
		return s.updateSet(res.Res.Returnval)
	}, func() {})
}

// decodeResponse reads a SOAP answer, in, down to the method's response,
// and calls returnval to read its returnval, or none if it has none. It
// returns how many values went through govmomi's decoder.
func decodeResponse(in []byte, returnval func(*scanner) error, none func()) (int, error) {
	s := &scanner{in: in, names: map[string]string{}}
	err := s.response(returnval, none)
	return s.govmomiValues, err
}

// response reads the answer; see decodeResponse.
func (s *scanner) response(returnval func(*scanner) error, none func()) error {
	// Down to the method's response: Envelope, Body, the response.
	var tok token
	for depth := 0; depth < 3; {
		if err := s.next(&tok); err != nil {
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
		err := s.next(&tok)
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
	var tok token
	for {
		if err := s.next(&tok); err != nil {
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
			err = s.dynamicProperty(nextProperty(s, &oc.PropSet))
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

// nextProperty appends a zero property to an object's list and returns
// it. An object's first gets room for as many as the object before had:
// the objects of an answer mostly have the same properties, which then
// take one allocation an object instead of one for each doubling.
func nextProperty[P any](s *scanner, list *[]P) *P {
	if *list == nil && s.properties > 0 {
		*list = make([]P, 0, s.properties)
	}
	*list = append(*list, *new(P))
	s.properties = len(*list)
	return &(*list)[len(*list)-1]
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
			err = s.propertyChange(nextProperty(s, &ou.ChangeSet))
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
	ref := types.ManagedObjectReference{Type: s.internBytes(tok.attr("type")), ServerGUID: s.internBytes(tok.attr("serverGuid"))}
	v, err := s.textBytes()
	ref.Value = s.recentString(v)
	return ref, err
}

// value reads the val that tok starts: the commonest simple types here,
// any other as an interface field (leanvalue.go).
func (s *scanner) value(tok token) (any, error) {
	switch string(tok.xsiType()) {
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
			if typ := string(tok.xsiType()); tok.local != "ManagedObjectReference" || typ != "" && typ != "ManagedObjectReference" {
				return unexpected(tok, "a list of references")
			}
			ref, err := s.ref(tok)
			refs.ManagedObjectReference = append(refs.ManagedObjectReference, ref)
			return err
		})
		return refs, err
	}
	if t := s.enumType(tok.xsiType()); t != nil {
		return s.enum(t)
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
		writeAttr(&b, attr{[]byte(ns.name), []byte(ns.value)})
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
		start := s.pos
		if err := s.skip(); err != nil {
			return err
		}
		b.Write(s.in[start:s.pos]) // its content and end, as they came
	}
	b.WriteString("</x>")
	s.govmomiValues++
	dec := xml.NewDecoder(&b)
	dec.TypeFunc = types.TypeFunc()
	return dec.Decode(v)
}

func writeAttr(b *bytes.Buffer, a attr) {
	b.WriteString(" ")
	if prefix, local := a.split(); len(prefix) > 0 {
		b.Write(prefix)
		b.WriteString(":")
		b.Write(local)
	} else {
		b.Write(local)
	}
	b.WriteString(`="`)
	_ = xml.EscapeText(b, a.value)
	b.WriteString(`"`)
}

// internBytes returns string(b), one copy of each distinct string:
// element names, property paths, types and enumerations repeat for every
// object. It looks in a small table of the strings seen last before the
// map of them all: most names are the same as a few objects before.
func (s *scanner) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	slot := s.recentSlot(b)
	if *slot == string(b) {
		return *slot
	}
	str, ok := s.names[string(b)]
	if !ok {
		str = string(b)
		if len(s.names) < maxInterned {
			s.names[str] = str
		}
	}
	*slot = str
	return str
}

// recentString is string(b), the same string as a few objects before if
// it was one of the strings seen last: references' values, which are
// mostly unique (an object's own) but often not (its host's, its
// datastores'), so that they are worth a look in the table of recent
// strings but not a place in the map.
func (s *scanner) recentString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	slot := s.recentSlot(b)
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// recentSlot returns the place of b in the table of recent strings, by
// its length and ends.
func (s *scanner) recentSlot(b []byte) *string {
	return &s.recent[(uint(len(b))*0x9e3779b1^uint(b[0])*0x85ebca6b^uint(b[len(b)-1]))%uint(len(s.recent))]
}

// maxInterned bounds the strings a scanner keeps.
const maxInterned = 1024

// The scanner: the XML of SOAP answers, read in place. It reads
// elements, attributes, character data with entity and character
// references, CDATA sections, comments and processing instructions; a
// DOCTYPE is refused, as SOAP forbids one. Names keep their prefixes
// apart; the namespace declarations in scope are kept for govmomi's
// decoder.

type tokKind uint8

const (
	tokStart tokKind = iota + 1 // <a>
	tokEmpty                    // <a/>: a start that is its own end
	tokEnd                      // </a>
)

// attr is an attribute: its name as written (prefix:local), its value
// with its references replaced.
type attr struct{ name, value []byte }

// split returns the attribute name's prefix, before its first ':', and
// the rest.
func (a attr) split() (prefix, local []byte) {
	prefix, local, _ = cutColon(a.name)
	return prefix, local
}

// cutColon cuts name around its first ':', if it has one; local is name
// if not. Names are short: it looks byte by byte.
func cutColon(name []byte) (prefix, local []byte, ok bool) {
	for i, c := range name {
		if c == ':' {
			return name[:i], name[i+1:], true
		}
	}
	return nil, name, false
}

// declaresNamespace reports whether a is xmlns or xmlns:prefix.
func (a attr) declaresNamespace() bool {
	prefix, local := a.split()
	return string(prefix) == "xmlns" || len(prefix) == 0 && string(local) == "xmlns"
}

// nsDecl is a namespace declaration: an attribute xmlns or xmlns:prefix.
type nsDecl struct{ name, value string }

type token struct {
	kind          tokKind
	prefix, local string
	// attrs, their names and values, are valid until the scanner reads
	// the next token: it reuses their memory.
	attrs []attr
}

func (t token) qname() string {
	if t.prefix != "" {
		return t.prefix + ":" + t.local
	}
	return t.local
}

// attr returns the value of the unprefixed attribute named local, nil if
// none.
func (t token) attr(local string) []byte {
	for _, a := range t.attrs {
		if p, l := a.split(); len(p) == 0 && string(l) == local {
			return a.value
		}
	}
	return nil
}

// xsiType returns the element's xsi:type: the one prefixed attribute
// named type in vSphere's answers; nil if none.
func (t token) xsiType() []byte {
	for _, a := range t.attrs {
		if p, l := a.split(); len(p) > 0 && string(p) != "xmlns" && string(l) == "type" {
			return a.value
		}
	}
	return nil
}

type scanner struct {
	// in is the answer; pos the offset of the next byte to read.
	in  []byte
	pos int
	// nsStack holds the namespace declarations of the open elements,
	// interned (vcsim declares xsi afresh on every value); nsLen the
	// stack's length at each open element.
	nsStack []nsDecl
	nsLen   []int
	names   map[string]string
	// recent holds strings of names, by their length and ends (see
	// internBytes).
	recent [256]string
	// pending is an empty element's end, which next returns after it.
	pending bool
	// buf holds text unescaped, vbuf attribute values.
	buf, vbuf []byte
	// govmomiValues counts the values read through govmomi's decoder.
	govmomiValues int
	// onToken, if set, is called with a retrieval's token as soon as it
	// is read: before the objects, which follow it (see Retrieve).
	onToken func(string)
	// attrs holds the last tag's attributes.
	attrs []attr
	// properties is how many properties the last object had, so far.
	properties int
	// enumTypes holds the enumeration types of values by xsi:type, nil
	// for other types; enums the values read, boxed (see enum).
	enumTypes map[string]reflect.Type
	enums     map[enumValue]any
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

// next reads the next start or end of an element into tok, skipping
// character data, comments and processing instructions between them. An
// empty element comes as its start (tokEmpty) and then its end.
func (s *scanner) next(tok *token) error {
	if s.endPending() {
		*tok = token{kind: tokEnd}
		return nil
	}
	for {
		if err := s.skipPast("<"); err != nil {
			return err
		}
		if ok, err := s.markup(tok); err != nil || ok {
			return err
		}
	}
}

// skipPast reads up to and including end. A single byte it looks for
// byte by byte: a tag's '>', and the next '<' after one, are mostly a few
// bytes on.
func (s *scanner) skipPast(end string) error {
	if len(end) == 1 {
		for i := s.pos; i < len(s.in); i++ {
			if s.in[i] == end[0] {
				s.pos = i + 1
				return nil
			}
		}
	} else if i := bytes.Index(s.in[s.pos:], []byte(end)); i >= 0 {
		s.pos += i + len(end)
		return nil
	}
	s.pos = len(s.in)
	return io.ErrUnexpectedEOF
}

// peek returns the next byte, which it leaves unread.
func (s *scanner) peek() (byte, error) {
	if s.pos == len(s.in) {
		return 0, io.ErrUnexpectedEOF
	}
	return s.in[s.pos], nil
}

// markup reads what follows a '<': a tag (ok), into tok, or a comment, a
// processing instruction or a CDATA section outside text (skipped).
func (s *scanner) markup(tok *token) (ok bool, err error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case '?':
		s.pos++
		return false, s.skipPast("?>")
	case '!':
		s.pos++
		_, err := s.bang()
		return false, err
	case '/':
		// An end tag: its name is its start's (the answer is well
		// formed, or govmomi would fail it too).
		if err := s.skipPast(">"); err != nil {
			return false, err
		}
		s.pop()
		*tok = token{kind: tokEnd}
		return true, nil
	}
	name, err := s.name()
	if err != nil {
		return false, err
	}
	*tok = token{kind: tokStart}
	if prefix, local, ok := cutColon(name); ok {
		tok.prefix, tok.local = s.internBytes(prefix), s.internBytes(local)
	} else {
		tok.local = s.internBytes(name)
	}
	tok.attrs = s.attrs[:0]
	s.vbuf = s.vbuf[:0]
	s.nsLen = append(s.nsLen, len(s.nsStack))
	for {
		c, err := s.space()
		if err != nil {
			return false, err
		}
		switch c {
		case '>':
			s.pos++
			return true, nil
		case '/':
			s.pos++
			if c, err = s.peek(); err != nil {
				return false, err
			}
			if c != '>' {
				return false, fmt.Errorf("%w: '/' in <%s>", errShape, name)
			}
			s.pos++
			tok.kind = tokEmpty
			s.pending = true
			return true, nil
		}
		a, err := s.attr()
		if err != nil {
			return false, err
		}
		tok.attrs = append(tok.attrs, a)
		s.attrs = tok.attrs // its array, for the next tag's
		if a.declaresNamespace() {
			s.nsStack = append(s.nsStack, nsDecl{s.internBytes(a.name), s.internBytes(a.value)})
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

// name reads a name up to a space, '=', '/' or '>'. It returns it in in.
func (s *scanner) name() ([]byte, error) {
	rest := s.in[s.pos:]
	n := 0
	for n < len(rest) && !nameEnds[rest[n]] {
		n++
	}
	switch {
	case n == len(rest):
		s.pos = len(s.in)
		return nil, io.ErrUnexpectedEOF
	case n == 0:
		return nil, fmt.Errorf("%w: an empty name", errShape)
	}
	s.pos += n
	return rest[:n], nil
}

// nameEnds are the bytes that end a name, and those a name cannot hold.
var nameEnds = byteSet(" \t\r\n=/><\"'")

// textEnds end character data, or mark a reference or a line end in it.
var textEnds = byteSet("<&\r")

func byteSet(s string) (set [256]bool) {
	for _, c := range []byte(s) {
		set[c] = true
	}
	return set
}

// space skips white space and returns the byte after it, which it
// leaves unread.
func (s *scanner) space() (byte, error) {
	for ; s.pos < len(s.in); s.pos++ {
		if c := s.in[s.pos]; !isSpace(c) {
			return c, nil
		}
	}
	return 0, io.ErrUnexpectedEOF
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// attr reads name="value" (or 'value'). The name is in in, the value
// too unless it has references or line ends to replace.
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
	s.pos++
	q, err := s.space()
	if err != nil {
		return attr{}, err
	}
	if q != '"' && q != '\'' {
		return attr{}, fmt.Errorf("%w: attribute %s unquoted", errShape, name)
	}
	s.pos++
	rest := s.in[s.pos:]
	n := 0
	escaped := false // a reference or a line end to replace
	for ; n < len(rest) && rest[n] != q; n++ {
		switch rest[n] {
		case '<':
			s.pos += n
			return attr{}, fmt.Errorf("%w: '<' in attribute %s", errShape, name)
		case '&', '\r':
			escaped = true
		}
	}
	if n == len(rest) {
		s.pos = len(s.in)
		return attr{}, io.ErrUnexpectedEOF
	}
	s.pos += n + 1
	a := attr{name: name, value: rest[:n]}
	if escaped {
		start := len(s.vbuf)
		if s.vbuf, err = appendUnescaped(s.vbuf, a.value); err != nil {
			return attr{}, err
		}
		a.value = s.vbuf[start:]
	}
	return a, nil
}

// bang reads what follows "<!": a comment, or a CDATA section, whose
// text, as written, it returns.
func (s *scanner) bang() (cdata []byte, err error) {
	const comment, section = "--", "[CDATA["
	rest := s.in[s.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte(comment)):
		s.pos += len(comment)
		return nil, s.skipPast("-->")
	case bytes.HasPrefix(rest, []byte(section)):
		s.pos += len(section)
		start := s.pos
		if err := s.skipPast("]]>"); err != nil {
			return nil, err
		}
		return s.in[start : s.pos-len("]]>")], nil
	case bytes.HasPrefix([]byte(comment), rest) || bytes.HasPrefix([]byte(section), rest):
		s.pos = len(s.in) // one cut short by the answer's end
		return nil, io.ErrUnexpectedEOF
	case rest[0] == '-':
		return nil, fmt.Errorf("%w: '<!-' not a comment", errShape)
	case rest[0] == '[':
		return nil, fmt.Errorf("%w: '<![' not CDATA", errShape)
	}
	return nil, fmt.Errorf("%w: '<!%c' (a DOCTYPE?) in a SOAP answer", errShape, rest[0])
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

// textBytes is text in the answer's bytes or a buffer of the scanner's,
// valid until it reads on.
func (s *scanner) textBytes() ([]byte, error) {
	if s.endPending() {
		return nil, nil
	}
	// raw is the text still to unescape, since the start or the last
	// comment or CDATA section: in the answer, or a copy when processing
	// instructions split it; escaped says whether it has a reference or a
	// line end to replace. done, once sectioned, holds the text before
	// that, unescaped, and the sections'.
	var raw, done []byte
	escaped, sectioned := false, false
	for {
		rest := s.in[s.pos:]
		i := 0
		for i < len(rest) && !textEnds[rest[i]] {
			i++
		}
		if i < len(rest) && rest[i] != '<' {
			escaped = true
			if j := bytes.IndexByte(rest[i:], '<'); j >= 0 {
				i += j
			} else {
				i = len(rest)
			}
		}
		if i == len(rest) {
			s.pos = len(s.in)
			return nil, io.ErrUnexpectedEOF
		}
		if seg := rest[:i]; raw == nil {
			raw = seg
		} else {
			raw = append(raw[:len(raw):len(raw)], seg...) // a copy
		}
		s.pos += i + 1
		c, err := s.peek()
		if err != nil {
			return nil, err
		}
		switch c {
		case '/':
			if err := s.skipPast(">"); err != nil {
				return nil, err
			}
			s.pop()
			if !sectioned {
				if !escaped {
					return raw, nil
				}
				done = s.buf[:0]
			}
			s.buf, err = appendUnescaped(done, raw)
			return s.buf, err
		case '!':
			if !sectioned {
				done, sectioned = s.buf[:0], true
			}
			if done, err = appendUnescaped(done, raw); err != nil {
				return nil, err
			}
			raw = nil
			s.pos++
			cdata, err := s.bang()
			if err != nil {
				return nil, err
			}
			done = appendNewlines(done, cdata)
			s.buf = done[:0] // its array, for the next text
		case '?':
			s.pos++
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
	var tok token
	for depth := 1; depth > 0; {
		if err := s.next(&tok); err != nil {
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

// appendUnescaped appends b to dst with its entity and character
// references replaced, and its line ends "\r\n" and "\r" made "\n", as
// XML wants and govmomi's decoder does. b is not changed.
func appendUnescaped(dst, b []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return appendNewlines(dst, b), nil
		}
		dst = appendNewlines(dst, b[:i])
		b = b[i+1:]
		end := bytes.IndexByte(b, ';')
		if end < 0 {
			return dst, fmt.Errorf("%w: '&' without ';'", errShape)
		}
		ref := b[:end]
		b = b[end+1:]
		switch string(ref) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "apos":
			dst = append(dst, '\'')
		case "quot":
			dst = append(dst, '"')
		default:
			num, ok := bytes.CutPrefix(ref, []byte("#"))
			if !ok {
				return dst, fmt.Errorf("%w: unknown entity &%s;", errShape, appendNewlines(nil, ref))
			}
			base := 10
			if hex, ok := bytes.CutPrefix(num, []byte("x")); ok {
				num, base = hex, 16
			}
			n, err := strconv.ParseUint(string(num), base, 32)
			if err != nil || !utf8.ValidRune(rune(n)) {
				return dst, fmt.Errorf("%w: bad character reference &%s;", errShape, appendNewlines(nil, ref))
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
}

// appendNewlines appends b to dst with its line ends "\r\n" and "\r"
// made "\n".
func appendNewlines(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		dst = append(dst, '\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}
