package storetest

import "time"

// Now is a fixed, millisecond-precise instant so stored times compare equal.
func Now() time.Time { return time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC) }
