package onerway

import "time"

// TimeLayout is how Onerway writes times, yyyy-MM-dd HH:mm:ss, with the
// zone in a field of its own (onerway-api.md §1).
const TimeLayout = "2006-01-02 15:04:05"

// TxnTimeZone is the zone the gateway's times are written in, and read in
// when a request carries them (startTime, endTime, deliveryTime): +08:00,
// as in every Onerway example, the seed's Tabby answer included.
const TxnTimeZone = "+08:00"

// Zone is TxnTimeZone as a location.
var Zone = time.FixedZone("UTC"+TxnTimeZone, 8*60*60)

// FormatTime writes t in Zone with TimeLayout, as txnTime, responseTime and
// the notifications' times are written.
func FormatTime(t time.Time) string { return t.In(Zone).Format(TimeLayout) }

// ParseTime reads a time written with TimeLayout in Zone.
func ParseTime(s string) (time.Time, error) { return time.ParseInLocation(TimeLayout, s, Zone) }
