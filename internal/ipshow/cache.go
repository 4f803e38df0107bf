package ipshow

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// llEntry is one link known to the name cache.
type llEntry struct {
	name  string
	alt   []string
	flags uint32
	typ   uint16
}

// llCache is iproute2's lib/ll_map.c: the names and flags of the links ip
// has seen, by index. Links come into it from ip's own dumps and from
// single lookups made when a name or index is not known yet, which decides
// what a peer's name and M-DOWN flag print as.
type llCache struct {
	c       *conn
	byIndex map[int32]*llEntry
}

func newLLCache(c *conn) *llCache {
	return &llCache{c: c, byIndex: make(map[int32]*llEntry)}
}

// remember is ll_remember_index.
func (l *llCache) remember(m *linkMsg) {
	var alt []string
	if prop, ok := m.tb[unix.IFLA_PROP_LIST]; ok {
		for t, v := range nestedAll(prop) {
			if t == unix.IFLA_ALT_IFNAME {
				alt = append(alt, unix.ByteSliceToString(v))
			}
		}
	}
	if e, ok := l.byIndex[m.index]; ok {
		// ll_entry_update keeps the cached name (and rehashes it).
		e.flags = m.flags
		e.alt = alt
		return
	}
	if !m.tb.Has(unix.IFLA_IFNAME) {
		return
	}
	l.byIndex[m.index] = &llEntry{name: m.tb.Str(unix.IFLA_IFNAME), alt: alt, flags: m.flags, typ: m.typ}
}

// linkGet is ll_link_get: ask the kernel for one link and cache it. It
// returns the link's index, or 0.
func (l *llCache) linkGet(name string, index int) int {
	m, err := l.c.getLink(unix.AF_UNSPEC, index, name, rtextFilterVF|rtextFilterSkipStats)
	if err != nil {
		return 0
	}
	l.remember(m)
	return int(m.index)
}

// indexToName is ll_index_to_name.
func (l *llCache) indexToName(idx int) string {
	if idx == 0 {
		return "*"
	}
	if e, ok := l.byIndex[int32(idx)]; ok {
		return e.name
	}
	if l.linkGet("", idx) == idx {
		if e, ok := l.byIndex[int32(idx)]; ok {
			return e.name
		}
	}
	return fmt.Sprintf("if%d", uint32(idx))
}

// indexToFlags is ll_index_to_flags: the cached flags, or -1.
func (l *llCache) indexToFlags(idx int) int64 {
	if idx == 0 {
		return 0
	}
	if e, ok := l.byIndex[int32(idx)]; ok {
		return int64(e.flags)
	}
	return -1
}

// nameToIndex is ll_name_to_index: the cache, then the kernel, then the
// "ifN" form. It returns 0 when nothing matches.
func (l *llCache) nameToIndex(name string) int {
	for idx, e := range l.byIndex {
		if e.name == name {
			return int(idx)
		}
		for _, a := range e.alt {
			if a == name {
				return int(idx)
			}
		}
	}
	if idx := l.linkGet(name, 0); idx != 0 {
		return idx
	}
	return idxFromName(name)
}

// nestedAll yields the attributes nested in b, in order, duplicates included.
func nestedAll(b []byte) func(yield func(uint16, []byte) bool) {
	return func(yield func(uint16, []byte) bool) {
		for len(b) >= unix.SizeofRtAttr {
			l := int(native.Uint16(b[0:2]))
			t := native.Uint16(b[2:4]) &^ unix.NLA_F_NESTED
			if l < unix.SizeofRtAttr || l > len(b) {
				return
			}
			if !yield(t, b[unix.SizeofRtAttr:l]) {
				return
			}
			l = (l + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1)
			if l > len(b) {
				return
			}
			b = b[l:]
		}
	}
}
