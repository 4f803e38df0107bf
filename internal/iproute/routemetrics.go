package iproute

import (
	"math"
	"strings"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
)

// routeMetrics is the RTA_METRICS nest of a route change request: the
// RTAX_* values in the order given, and the RTAX_LOCK bits of "lock".
type routeMetrics struct {
	attrs []*nl.RtAttr
	lock  uint32
}

// The RTAX_* numbers iproute_modify sets that routeshow.go does not name.
const (
	rtaxMTU          = 2
	rtaxWindow       = 3
	rtaxSSThresh     = 6
	rtaxCwnd         = 7
	rtaxAdvMSS       = 8
	rtaxReordering   = 9
	rtaxInitCwnd     = 11
	rtaxInitRwnd     = 14
	rtaxQuickAck     = 15
	rtaxFastopenNoCk = 17
	rtaxFeatureECN   = 1
)

// routeMetric is one metric keyword of iproute_modify: how it is matched
// (exact or as an abbreviation), its RTAX number, whether it takes "lock",
// and the name its error message uses.
type routeMetric struct {
	word   string
	abbrev bool
	rtax   int
	lock   bool
	msg    string
}

// routeMetricWords are iproute_modify's metric keywords, in its order (an
// abbreviation goes to the first keyword it abbreviates).
var routeMetricWords = []routeMetric{
	{"mtu", false, rtaxMTU, true, "mtu"},
	{"hoplimit", false, rtaxHoplimit, true, "hoplimit"},
	{"advmss", false, rtaxAdvMSS, true, "mss"},
	{"reordering", true, rtaxReordering, true, "reordering"},
	{"rtt", false, rtaxRTT, true, "rtt"},
	{"rto_min", false, rtaxRTOMin, false, "rto_min"},
	{"window", true, rtaxWindow, true, "window"},
	{"cwnd", true, rtaxCwnd, true, "cwnd"},
	{"initcwnd", true, rtaxInitCwnd, true, "initcwnd"},
	{"initrwnd", true, rtaxInitRwnd, true, "initrwnd"},
	{"features", true, rtaxFeatures, false, "features"},
	{"quickack", true, rtaxQuickAck, false, "quickack"},
	{"congctl", true, rtaxCCAlgo, true, "congctl"},
	{"rttvar", true, rtaxRTTVar, true, "rttvar"},
	{"ssthresh", true, rtaxSSThresh, true, "ssthresh"},
}

// metricKeyword finds the metric keyword word stands for. Keywords that
// iproute_modify tests before the metrics (src, via, from, metric, scope
// ...) never reach here, and "fastopen_no_cookie" is tested after all
// others, so its abbreviations lose to "features" ("f").
func metricKeyword(word string) (routeMetric, bool) {
	for _, m := range routeMetricWords {
		if word == m.word || (m.abbrev && matches(word, m.word)) {
			return m, true
		}
	}
	return routeMetric{}, false
}

// parse reads one metric keyword and its value, as iproute_modify does. It
// reports whether word was a metric keyword.
func (mx *routeMetrics) parse(a *args, word string) (bool, error) {
	m, ok := metricKeyword(word)
	if !ok {
		return false, nil
	}
	v, err := a.value(word)
	if err != nil {
		return true, err
	}
	if v == "lock" && m.lock {
		mx.lock |= 1 << m.rtax
		if v, err = a.value(word); err != nil {
			return true, err
		}
	}
	bad := invalidArg(`"`+m.msg+`" value is invalid`, v)
	switch m.rtax {
	case rtaxRTOMin, rtaxRTT, rtaxRTTVar:
		if m.rtax == rtaxRTOMin {
			mx.lock |= 1 << rtaxRTOMin
		}
		n, raw, ok := getTimeRTT(v)
		if !ok {
			return true, bad
		}
		switch {
		case raw:
		case m.rtax == rtaxRTT:
			n *= 8
		case m.rtax == rtaxRTTVar:
			n *= 4
		}
		mx.u32(m.rtax, n)
	case rtaxHoplimit:
		n, ok := cnum.GetUint(v, math.MaxUint32)
		if !ok || n > 255 {
			return true, bad
		}
		mx.u32(m.rtax, uint32(n))
	case rtaxFeatures:
		if v != "ecn" {
			return true, invalidArg(`"features" value not valid`, v)
		}
		mx.u32(m.rtax, rtaxFeatureECN)
	case rtaxQuickAck:
		n, ok := cnum.GetUint(v, math.MaxUint32)
		if !ok {
			return true, bad
		}
		if n > 1 {
			return true, invalidArg(`"quickack" value should be 0 or 1`, v)
		}
		mx.u32(m.rtax, uint32(n))
	case rtaxCCAlgo:
		mx.attrs = append(mx.attrs, nl.NewRtAttr(m.rtax, []byte(v)))
	default:
		n, ok := cnum.GetUint(v, math.MaxUint32)
		if !ok {
			return true, bad
		}
		mx.u32(m.rtax, uint32(n))
	}
	return true, nil
}

// parseFastopen is iproute_modify's "fastopen_no_cookie 0|1".
func (mx *routeMetrics) parseFastopen(a *args, word string) error {
	v, err := a.value(word)
	if err != nil {
		return err
	}
	n, ok := cnum.GetUint(v, math.MaxUint32)
	if !ok {
		return invalidArg(`"fastopen_no_cookie" value is invalid`, v)
	}
	if n > 1 {
		return invalidArg(`"fastopen_no_cookie" value should be 0 or 1`, v)
	}
	mx.u32(rtaxFastopenNoCk, uint32(n))
	return nil
}

func (mx *routeMetrics) u32(rtax int, v uint32) {
	mx.attrs = append(mx.attrs, nl.NewRtAttr(rtax, nl.Uint32Attr(v)))
}

// attr is the RTA_METRICS attribute, nil when no metric was given; the
// lock bits go last, as iproute_modify adds them.
func (mx *routeMetrics) attr() *nl.RtAttr {
	if len(mx.attrs) == 0 {
		return nil
	}
	nest := nl.NewRtAttr(unix.RTA_METRICS, nil)
	for _, a := range mx.attrs {
		nest.AddChild(a)
	}
	if mx.lock != 0 {
		nest.AddChild(nl.NewRtAttr(rtaxLock, nl.Uint32Attr(mx.lock)))
	}
	return nest
}

// getTimeRTT is iproute2's get_time_rtt: milliseconds, with an optional
// s/sec/secs or ms/msec/msecs suffix (any case), rounded up. raw reports a
// bare number, which iproute_modify passes to the kernel unscaled.
func getTimeRTT(v string) (n uint32, raw, ok bool) {
	var t float64
	var rest string
	if strings.Contains(v, ".") {
		f, r, errno := cnum.Strtod(v)
		if f < 0 || r == v || errno != 0 {
			return 0, false, false
		}
		t, rest = f, r
	} else {
		u, r, digits := cnum.Strtoul(v)
		if !digits || u == 1<<64-1 {
			return 0, false, false
		}
		t, rest = float64(u), r
	}
	raw = rest == ""
	switch strings.ToLower(rest) {
	case "":
	case "s", "sec", "secs":
		t *= 1000
	case "ms", "msec", "msecs":
	default:
		return 0, false, false
	}
	if t > math.MaxUint32 {
		return 0, false, false
	}
	n = uint32(t)
	if float64(n) < t {
		n++
	}
	return n, raw, true
}
