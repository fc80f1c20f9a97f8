package format

import (
	"strconv"
	"time"
)

// Age renders how long ago something happened in its largest whole unit,
// as k9s does: "<1m", "45m", "5h", "12d". A negative age (the server's
// clock ahead of this one) reads "<1m".
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "<1m"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}
