package vsphere

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortedVMsAreInNameThenIDOrder: the VMs come in name order, ties by
// ID, for a few VMs (sorted at once) and for many (sorted in two halves
// then merged), with names that share their first 16 bytes, equal names,
// empty names and names shorter than 16 bytes.
func TestSortedVMsAreInNameThenIDOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := func(i int) string {
		switch i % 5 {
		case 0:
			return fmt.Sprintf("a-very-long-common-prefix-%05d", rng.IntN(1000))
		case 1:
			return "same"
		case 2:
			return ""
		case 3:
			return fmt.Sprintf("s%d", rng.IntN(100))
		}
		return fmt.Sprintf("web-%05d", rng.IntN(100000))
	}
	for _, n := range []int{0, 1, 100, 4095, 4096, 10001} {
		s := newStore(Load{VMs: Names})
		for i := range n {
			s.set(Ref{Type: "VirtualMachine", Value: fmt.Sprintf("vm-%d", rng.IntN(1<<30))}, "name", names(i))
		}
		got := s.sortedVMs()
		if len(got) != len(s.vms) {
			t.Fatalf("%d VMs: sorted %d", len(s.vms), len(got))
		}
		want := slices.Clone(got)
		slices.SortFunc(want, func(a, b *VM) int { return byName(a.Name, a.ID, b.Name, b.ID) })
		if !slices.Equal(got, want) {
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%d VMs: at %d %q (%s); want %q (%s)", len(s.vms), i, got[i].Name, got[i].ID, want[i].Name, want[i].ID)
				}
			}
		}
	}
}
