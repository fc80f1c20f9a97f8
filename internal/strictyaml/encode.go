package strictyaml

import (
	"io"

	"go.yaml.in/yaml/v3"
)

// Encode writes v as vtui writes every YAML document (-o yaml, an
// exported configuration, a drill plan shown in the terminal UI): keys in
// the order of the type's fields, two-space indents, values through
// their MarshalText. What it writes, Decode reads back.
func Encode(w io.Writer, v any) error {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}
