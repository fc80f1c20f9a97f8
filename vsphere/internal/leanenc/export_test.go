package leanenc

import (
	"reflect"

	"github.com/vmware/govmomi/vim25/types"
)

// FallbackTypes encodes rr as an answer does and returns the types of
// its values (properties and missing set entries) left to govmomi's
// encoder, with how many of each.
func FallbackTypes(rr *types.RetrieveResult) (map[reflect.Type]int, error) {
	fell := map[reflect.Type]int{}
	w := &writer{fellBack: func(t reflect.Type) { fell[t]++ }}
	err := w.retrieveResult(rr)
	return fell, err
}
