package capacity

import (
	"crypto/sha256"
	"fmt"
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

// Tolerate computes in's Tolerance.
func Tolerate(in Input) (Tolerance, error) {
	var t Tolerance
	for n := 1; n <= min(MaxFailures, len(in.Hosts)-1) && choose(len(in.Hosts), n) <= MaxToleranceScenarios; n++ {
		r, err := Analyze(in, n)
		if err != nil {
			return t, err
		}
		t.Checked = n
		if !r.Tolerates {
			break
		}
		t.Tolerated = n
	}
	return t, nil
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
