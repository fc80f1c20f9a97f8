package format

import "testing"

func TestBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1 KiB"}, {1536, "1.5 KiB"},
		{16 << 30, "16 GiB"}, {int64(2.25 * (1 << 40)), "2.2 TiB"}, {500 << 30, "500 GiB"}, {-2048, "-2 KiB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.in); got != tt.want {
			t.Errorf("Bytes(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestMHz(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{{0, "0 MHz"}, {999, "999 MHz"}, {2400, "2.4 GHz"}, {48000, "48 GHz"}, {230000, "230 GHz"}, {1500000, "1.5 THz"}}
	for _, tt := range tests {
		if got := MHz(tt.in); got != tt.want {
			t.Errorf("MHz(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		part, whole int64
		want        string
	}{{0, 100, "0%"}, {1, 3, "33%"}, {2, 3, "67%"}, {5, 0, "-"}, {150, 100, "150%"}}
	for _, tt := range tests {
		if got := Percent(tt.part, tt.whole); got != tt.want {
			t.Errorf("Percent(%d, %d) = %q; want %q", tt.part, tt.whole, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		n    int
		noun string
		want string
	}{{0, "change", "0 changes"}, {1, "change", "1 change"}, {2, "VM", "2 VMs"}, {1, "powered-on VM", "1 powered-on VM"}}
	for _, tt := range tests {
		if got := Count(tt.n, tt.noun); got != tt.want {
			t.Errorf("Count(%d, %q) = %q; want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}

// TestMB: memory as vSphere reports it, in mebibytes, reads as every other
// size does; the drill's preflight once wrote 39888.0 GiB where the HA
// panel wrote 39 TiB.
func TestMB(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{{0, "0 B"}, {512, "512 MiB"}, {1024, "1 GiB"}, {1536, "1.5 GiB"}, {61440, "60 GiB"}, {1 << 20, "1 TiB"}, {39888 * 1024, "39 TiB"}, {-1024, "-1 GiB"}}
	for _, tt := range tests {
		if got := MB(tt.in); got != tt.want {
			t.Errorf("MB(%d) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
