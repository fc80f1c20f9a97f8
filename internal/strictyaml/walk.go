package strictyaml

import (
	"bytes"
	"context"
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// walker goes over the document's nodes, first to record where each key
// is (index), then beside the Go type it decodes into (check).
type walker struct {
	d         *Document
	forbidden map[string]string
	anchors   map[string]ast.Node
	byPos     map[[2]int]string // token position -> key path
	root      reflect.Type
	dec       *yaml.Decoder // for types that decode themselves, made when first needed
	err       error
}

// keyPath joins key segments: "contexts.lab.url", "rules[2].name". A key
// that holds a dot or a space is quoted.
func keyPath(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, "[") && strings.HasSuffix(k, "]"):
			b.WriteString(k)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			if strings.ContainsAny(k, ". []") {
				k = strconv.Quote(k)
			}
			b.WriteString(k)
		}
	}
	return b.String()
}

// pos is where a node starts: a mapping at its first key.
func pos(n ast.Node) *token.Position {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && !m.IsFlowStyle {
		n = m.Values[0].Key
	}
	if n == nil || n.GetToken() == nil {
		return nil
	}
	return n.GetToken().Position
}

// resolve follows anchors, aliases and tags to the node that holds the
// value.
func (w *walker) resolve(n ast.Node) ast.Node {
	for range 64 {
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.TagNode:
			n = x.Value
		case *ast.AliasNode:
			n = w.anchors[x.Value.GetToken().Value]
		default:
			return n
		}
	}
	return n
}

func isNull(n ast.Node) bool {
	switch n.(type) {
	case nil, *ast.NullNode:
		return true
	}
	return false
}

// index records the position of every key and list item below n, and the
// anchors, and refuses forbidden keys.
func (w *walker) index(n ast.Node, keys []string) {
	if w.err != nil || n == nil {
		return
	}
	record := func(p *token.Position, keys []string) {
		if p == nil {
			return
		}
		k := keyPath(keys)
		if _, seen := w.d.pos[k]; !seen {
			w.d.pos[k] = *p
		}
		if _, seen := w.byPos[[2]int{p.Line, p.Column}]; !seen {
			w.byPos[[2]int{p.Line, p.Column}] = k
		}
	}
	switch x := n.(type) {
	case *ast.AnchorNode:
		if w.anchors == nil {
			w.anchors = map[string]ast.Node{}
		}
		w.anchors[x.Name.GetToken().Value] = x.Value
		w.index(x.Value, keys)
	case *ast.TagNode:
		w.index(x.Value, keys)
	case *ast.MappingNode:
		for _, mv := range x.Values {
			w.index(mv, keys)
		}
	case *ast.MappingValueNode:
		name := x.Key.GetToken().Value
		sub := append(slices.Clip(keys), name)
		if why, ok := w.forbidden[name]; ok {
			w.err = w.d.errorAt(x.Key.GetToken(), keyPath(sub), "%s", why)
			return
		}
		if first, seen := w.d.pos[keyPath(sub)]; seen {
			w.err = w.d.errorAt(x.Key.GetToken(), keyPath(sub), "repeated key (first on line %d)", first.Line)
			return
		}
		record(pos(x.Key), sub)
		if p := pos(x.Value); p != nil && !isCollection(w.resolve(x.Value)) {
			w.d.vals[keyPath(sub)] = *p
		}
		record(pos(x.Value), sub)
		w.index(x.Value, sub)
	case *ast.SequenceNode:
		for i, v := range x.Values {
			sub := append(slices.Clip(keys), fmt.Sprintf("[%d]", i))
			record(pos(v), sub)
			w.index(v, sub)
		}
	}
}

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	durationType    = reflect.TypeFor[time.Duration]()
)

func typeOf(v any) reflect.Type {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// field is a struct field as YAML names it.
type field struct {
	name     string
	typ      reflect.Type
	required bool
}

// fields lists a struct's fields by YAML key, following inline embedding.
func fields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if strings.Contains(opts, "inline") || (f.Anonymous && tag == "") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, fields(ft)...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, field{name: name, typ: f.Type, required: f.Tag.Get("strict") == "required"})
	}
	return out
}

// valid lists the keys the mapping holding key allows: " (valid: a, b)".
func (w *walker) valid(key string) string {
	if w == nil || w.root == nil {
		return ""
	}
	t := w.typeAt(key)
	if t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	var names []string
	for _, f := range fields(t) {
		names = append(names, f.name)
	}
	return " (valid: " + strings.Join(names, ", ") + ")"
}

// typeAt returns the Go type of the mapping that holds the key path key.
func (w *walker) typeAt(key string) reflect.Type {
	t := w.root
	segs := splitPath(key)
	for _, s := range segs[:max(len(segs)-1, 0)] {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			i := slices.IndexFunc(fields(t), func(f field) bool { return f.name == s })
			if i < 0 {
				return nil
			}
			t = fields(t)[i].typ
		case reflect.Map, reflect.Slice:
			t = t.Elem()
		default:
			return nil
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// splitPath undoes keyPath, roughly: list items become their own segment.
func splitPath(key string) []string {
	var out []string
	for _, part := range strings.Split(strings.ReplaceAll(key, "[", ".["), ".") {
		if part != "" {
			out = append(out, strings.Trim(part, `"`))
		}
	}
	return out
}

// check compares the node at slot, at keys, with the Go type t it
// decodes into, so that every problem is placed where it is, with its key
// path: the shape (a list where a mapping belongs), unknown and missing
// keys, integers, durations, and values a type parses itself.
//
// It also makes the document decode as written: a plain scalar that YAML
// reads as a number or a boolean (010, 0x1F, 1.50, true) and that lands
// in a string is replaced, at its slot, by a string of its text, so that
// a host or a name is never other than the one written; nothing (~)
// stays nothing, and an explicit tag (!!int 010) decides for itself. An
// alias of a scalar is replaced by the scalar it names, so that what one
// place makes of an anchored value is not what another place reads.
func (w *walker) check(slot *ast.Node, keys []string, t reflect.Type) error {
	if w.root == nil {
		w.root = t
	}
	n := w.resolve(*slot)
	if _, ok := (*slot).(*ast.AliasNode); ok && isScalar(n) {
		*slot = n
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if ownsYAML(t) {
		return w.checkOwn(slot, keys, t)
	}
	if want := shapeOf(t); want != anyShape && !isNull(n) && nodeShape(n) != want {
		return w.errorIn(n, keys, "want %s, got %s", describe(t), nodeWords(n.Type()))
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		keepText(slot)
		return w.checkText(n, keys, t)
	}
	switch t.Kind() {
	case reflect.String:
		keepText(slot)
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return nil
		}
		return w.checkStruct(n, keys, t)
	case reflect.Map:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			return nil
		}
		for _, mv := range m.Values {
			if s := asText(mv.Key); s != nil && t.Key().Kind() == reflect.String {
				mv.Key = s
			}
			if err := w.check(&mv.Value, append(slices.Clip(keys), mv.Key.GetToken().Value), t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Slice:
		s, ok := n.(*ast.SequenceNode)
		if !ok {
			return nil
		}
		for i := range s.Values {
			if err := w.check(&s.Values[i], append(slices.Clip(keys), fmt.Sprintf("[%d]", i)), t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if t == durationType {
			return w.checkDuration(n, keys)
		}
		if _, ok := n.(*ast.IntegerNode); !ok && !isNull(n) {
			return w.errorIn(n, keys, "want a whole number, got %q", n.GetToken().Value)
		}
	}
	return nil
}

// keepText replaces a plain scalar at slot, or under its anchor, that
// YAML reads as a number or a boolean by a string of its text.
func keepText(slot *ast.Node) {
	for a, ok := (*slot).(*ast.AnchorNode); ok; a, ok = (*slot).(*ast.AnchorNode) {
		slot = &a.Value
	}
	if s := asText(*slot); s != nil {
		*slot = s
	}
}

// asText is the plain scalar n, which YAML reads as a number or a
// boolean, as a string of its text as written; nil if n is anything else.
// Its token, the one in the document's chain of tokens, becomes quoted,
// so that what reads a node's YAML text from that chain (go-yaml, for a
// type's UnmarshalText) reads a string too; the text is only digits,
// letters and .+-_, so strconv.Quote quotes it as YAML does. n keeps its
// value, for a place that reads it as a number through an alias.
func asText(n ast.Node) *ast.StringNode {
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		tk := n.GetToken()
		if tk.Type != token.DoubleQuoteType { // not yet quoted for another place
			tk.Origin = strings.Replace(tk.Origin, tk.Value, strconv.Quote(tk.Value), 1)
			tk.Type = token.DoubleQuoteType
		}
		return ast.String(tk)
	}
	return nil
}

// errorIn is an *Error where the node n, at keys, starts: a block
// mapping at its first key.
func (w *walker) errorIn(n ast.Node, keys []string, format string, args ...any) *Error {
	var p token.Position
	if at := pos(n); at != nil {
		p = *at
	}
	return w.d.newError(p.Line, p.Column, keyPath(keys), fmt.Sprintf(format, args...))
}

// shape is what a YAML value is, or what a Go type takes.
type shape int

const (
	anyShape shape = iota
	scalarShape
	listShape
	mappingShape
)

// shapeOf is the shape the Go type t takes: an interface takes any.
func shapeOf(t reflect.Type) shape {
	switch {
	case t == reflect.TypeFor[time.Time](), reflect.PointerTo(t).Implements(textUnmarshaler):
		return scalarShape
	}
	switch t.Kind() {
	case reflect.Interface:
		return anyShape
	case reflect.Slice, reflect.Array:
		return listShape
	case reflect.Map, reflect.Struct:
		return mappingShape
	}
	return scalarShape
}

// nodeShape is the shape of the (resolved) node n.
func nodeShape(n ast.Node) shape {
	switch n.(type) {
	case *ast.MappingNode:
		return mappingShape
	case *ast.SequenceNode:
		return listShape
	}
	return scalarShape
}

// yamlUnmarshalers are the interfaces of go-yaml by which a type decodes
// itself.
var yamlUnmarshalers = []reflect.Type{
	reflect.TypeFor[yaml.InterfaceUnmarshaler](), reflect.TypeFor[yaml.InterfaceUnmarshalerContext](),
	reflect.TypeFor[yaml.BytesUnmarshaler](), reflect.TypeFor[yaml.BytesUnmarshalerContext](),
	reflect.TypeFor[yaml.NodeUnmarshaler](), reflect.TypeFor[yaml.NodeUnmarshalerContext](),
}

// ownsYAML reports whether t decodes itself: go-yaml calls its
// UnmarshalYAML, whatever its kind and fields.
func ownsYAML(t reflect.Type) bool {
	return slices.ContainsFunc(yamlUnmarshalers, reflect.PointerTo(t).Implements)
}

// checkOwn runs the UnmarshalYAML of t on the node at slot. Whatever the
// method asks to decode is checked here first, as any value is, so that a
// problem inside it (a mapping as a list's second item) is placed where
// it is, with its key path, and a string it asks for is read as written;
// an error of the method's own is placed at the node.
func (w *walker) checkOwn(slot *ast.Node, keys []string, t reflect.Type) error {
	n := w.resolve(*slot)
	unmarshal := func(v any) error {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
			if err := w.check(slot, keys, rv.Type().Elem()); err != nil {
				return err
			}
		}
		if w.dec == nil {
			// A decoder of the whole document knows its anchors, which
			// the node may refer to.
			w.dec = yaml.NewDecoder(bytes.NewReader(w.d.data), yaml.DisallowUnknownField())
		}
		if err := w.dec.DecodeFromNode(w.resolve(*slot), v); err != nil { // as check left it
			return w.d.fromLibrary(err, w)
		}
		return nil
	}
	ctx := context.Background()
	var err error
	switch u := reflect.New(t).Interface().(type) {
	case yaml.InterfaceUnmarshaler:
		err = u.UnmarshalYAML(unmarshal)
	case yaml.InterfaceUnmarshalerContext:
		err = u.UnmarshalYAML(ctx, unmarshal)
	case yaml.BytesUnmarshaler:
		err = u.UnmarshalYAML([]byte(n.String()))
	case yaml.BytesUnmarshalerContext:
		err = u.UnmarshalYAML(ctx, []byte(n.String()))
	case yaml.NodeUnmarshaler:
		err = u.UnmarshalYAML(n)
	case yaml.NodeUnmarshalerContext:
		err = u.UnmarshalYAML(ctx, n)
	}
	var placed *Error
	if err == nil || errors.As(err, &placed) {
		return err
	}
	return w.errorIn(n, keys, "%v", err)
}

func isCollection(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.SequenceNode:
		return true
	}
	return false
}

func isScalar(n ast.Node) bool {
	_, ok := n.(ast.ScalarNode)
	return ok
}

// checkStruct checks a mapping, or nothing, against the struct type t.
func (w *walker) checkStruct(n ast.Node, keys []string, t reflect.Type) error {
	fs := fields(t)
	present := map[string]bool{}
	if m, ok := n.(*ast.MappingNode); ok {
		for _, mv := range m.Values {
			name := mv.Key.GetToken().Value
			sub := append(slices.Clip(keys), name)
			i := slices.IndexFunc(fs, func(f field) bool { return f.name == name })
			if i < 0 {
				return w.d.errorAt(mv.Key.GetToken(), keyPath(sub), "unknown key%s", w.valid(keyPath(sub)))
			}
			present[name] = true
			if err := w.check(&mv.Value, sub, fs[i].typ); err != nil {
				return err
			}
		}
	}
	for _, f := range fs {
		if f.required && !present[f.name] {
			p := pos(n)
			line, col := 1, 1
			if p != nil {
				line, col = p.Line, p.Column
			}
			if len(keys) > 0 {
				if kp, ok := w.d.pos[keyPath(keys)]; ok {
					line, col = kp.Line, kp.Column
				}
			}
			return w.d.newError(line, col, keyPath(keys), fmt.Sprintf("missing key %q", f.name))
		}
	}
	return nil
}

// checkText runs the type's own UnmarshalText on a scalar, so that its
// error is reported where the value is.
func (w *walker) checkText(n ast.Node, keys []string, t reflect.Type) error {
	if isNull(n) || !isScalar(n) {
		return nil
	}
	v := reflect.New(t).Interface().(encoding.TextUnmarshaler)
	if err := v.UnmarshalText([]byte(n.GetToken().Value)); err != nil {
		return w.errorIn(n, keys, "%v", err)
	}
	return nil
}

func (w *walker) checkDuration(n ast.Node, keys []string) error {
	if isNull(n) || !isScalar(n) {
		return nil
	}
	s := n.GetToken().Value
	if _, err := time.ParseDuration(s); err != nil {
		return w.errorIn(n, keys, "want a duration such as 30s or 5m, got %q", s)
	}
	return nil
}

// describe names what a Go type takes, in YAML's words.
func describe(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == durationType {
		return "a duration such as 30s or 5m"
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a single value" // which one, its UnmarshalText says
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a single value"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return "a " + t.String()
}

// nodeWords names a YAML node type in YAML's words.
func nodeWords(t ast.NodeType) string {
	switch t {
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	case ast.NullType:
		return "nothing"
	}
	return "a single value"
}

// Keys lists the keys a struct (or a pointer to one) decodes, in field
// order: what a file of that type may say, e.g. for documentation that
// must show every key.
func Keys(v any) []string {
	t := typeOf(v)
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for _, f := range fields(t) {
		out = append(out, f.name)
	}
	return out
}
