package capacity

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"slices"
)

// MaxToleranceScenarios bounds the scenarios Tolerance runs for one
// number of failures: C(96, 2) is 4,560, C(96, 3) 142,880.
const MaxToleranceScenarios = 5000

// Tolerance is how many host failures at once a cluster tolerates: the
// largest n for which every protected VM restarts in every scenario of n
// failures (Analyze), trying n = 1, 2, ... up to MaxFailures, the
// cluster's hosts less one, and while n's scenarios are at most
// MaxToleranceScenarios. Checked is the largest n tried: Tolerated below
// it is the answer, equal to it means "at least".
type Tolerance struct {
	Tolerated, Checked int
}

// Tolerate computes in's Tolerance. It gives Analyze's verdicts by the
// same placement, cheaper: it builds the model once, places without
// recording or naming anything, stops a scenario at its first protected
// VM left down and a number of failures at its first such scenario, and
// tries the fullest hosts (the most memory, then CPU, reserved) first,
// where a VM left down is likeliest.
func Tolerate(in Input) Tolerance {
	var t Tolerance
	m := newModel(in)
	fullest := make([]int, len(m.hosts))
	for i := range fullest {
		fullest[i] = i
	}
	slices.SortStableFunc(fullest, func(a, b int) int {
		return cmp.Or(cmp.Compare(m.baseMem[b], m.baseMem[a]), cmp.Compare(m.baseCPU[b], m.baseCPU[a]))
	})
	failed := make([]int, 0, MaxFailures)
	for n := 1; n <= min(MaxFailures, len(m.hosts)-1) && choose(len(m.hosts), n) <= MaxToleranceScenarios; n++ {
		t.Checked = n
		tolerates := true
		combinations(len(m.hosts), n, func(set []int) bool {
			failed = failed[:0]
			for _, i := range set {
				failed = append(failed, fullest[i])
			}
			// In host order, as Analyze fails them.
			slices.Sort(failed)
			tolerates = m.restartsAll(failed)
			return tolerates
		})
		if !tolerates {
			break
		}
		t.Tolerated = n
	}
	return t
}

// choose is the binomial coefficient C(n, k).
func choose(n, k int) int {
	c := 1
	for i := range k {
		c = c * (n - i) / (i + 1)
	}
	return c
}

// Fingerprint returns a digest of what the what-if reads of in: inputs
// with the same fingerprint get the same Tolerance and Analyze reports,
// whatever else differs (the VMs' and hosts' usage figures, say), so a
// caller may keep a Tolerance until the fingerprint changes.
func Fingerprint(in Input) [sha256.Size]byte {
	h := sha256.New()
	// The model holds every figure the what-if reads, in slices and maps
	// of plain values, which fmt prints in a fixed order (maps by key).
	m := newModel(in)
	fmt.Fprintf(h, "%v\x00%v\x00%v\x00%v\x00%v\x00%v\x00%v\x00%q\x00%v", in.Config, m.hosts, m.vms, m.rules, m.baseMem, m.baseCPU, m.at, m.noRestarts, m.on)
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
