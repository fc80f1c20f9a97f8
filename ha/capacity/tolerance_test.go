package capacity

import "testing"

func TestChoose(t *testing.T) {
	for _, tt := range []struct{ n, k, want int }{{96, 1, 96}, {96, 2, 4560}, {96, 3, 142880}, {3, 2, 3}, {5, 0, 1}} {
		if got := choose(tt.n, tt.k); got != tt.want {
			t.Errorf("choose(%d, %d) = %d; want %d", tt.n, tt.k, got, tt.want)
		}
	}
}
