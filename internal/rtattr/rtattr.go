// Package rtattr decodes the attributes of route netlink messages as
// iproute2's parse_rtattr does: in order, stopping at the first attribute
// that does not fit in what is left (RTA_OK), with the first attribute of
// a type winning over later ones. Nested attributes are decoded by the
// same code. Truncated or oversized input is never an error and never a
// panic: what fits is decoded, the rest is left out.
package rtattr

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

var native = binary.NativeEndian

// Attr is one attribute: its type as sent, flags included, and its payload.
type Attr struct {
	Type  uint16
	Value []byte
}

// List returns the attributes of b in order, every one, duplicates
// included: for attributes that form a list (a bridge port's VLANs, say).
func List(b []byte) []Attr {
	var out []Attr
	Each(b, func(typ uint16, v []byte) { out = append(out, Attr{typ, v}) })
	return out
}

// Each calls fn with each attribute of b in order.
func Each(b []byte, fn func(typ uint16, value []byte)) {
	for len(b) >= unix.SizeofRtAttr {
		l := int(native.Uint16(b[0:2]))
		if l < unix.SizeofRtAttr || l > len(b) {
			return
		}
		fn(native.Uint16(b[2:4]), b[unix.SizeofRtAttr:l:l])
		l = (l + unix.RTA_ALIGNTO - 1) &^ (unix.RTA_ALIGNTO - 1)
		if l >= len(b) {
			return
		}
		b = b[l:]
	}
}

// Table is a message's attributes by type, the first of each type.
type Table map[uint16][]byte

// Parse is parse_rtattr_flags(..., NLA_F_NESTED): the attributes of b by
// type, with the nested flag cleared from the types.
func Parse(b []byte) Table {
	return ParseMasked(b, unix.NLA_F_NESTED)
}

// ParseMasked is parse_rtattr_flags: the attributes of b by type, with the
// bits of mask cleared from the types (0: types as sent).
func ParseMasked(b []byte, mask uint16) Table {
	t := Table{}
	Each(b, func(typ uint16, v []byte) {
		typ &^= mask
		if _, dup := t[typ]; !dup {
			t[typ] = v
		}
	})
	return t
}

// Has reports whether the table holds an attribute of type typ.
func (t Table) Has(typ uint16) bool { _, ok := t[typ]; return ok }

// Nested is the table of the attributes nested in attribute typ (empty
// when there is none).
func (t Table) Nested(typ uint16) Table { return Parse(t[typ]) }

// U8 is rta_getattr_u8: the attribute's first byte, 0 when it is absent
// or empty.
func (t Table) U8(typ uint16) uint8 {
	if v := t[typ]; len(v) >= 1 {
		return v[0]
	}
	return 0
}

// U16 is rta_getattr_u16 in host order, 0 when absent or short.
func (t Table) U16(typ uint16) uint16 {
	if v := t[typ]; len(v) >= 2 {
		return native.Uint16(v)
	}
	return 0
}

// U32 is rta_getattr_u32 in host order, 0 when absent or short.
func (t Table) U32(typ uint16) uint32 {
	v, _ := t.Uint32(typ)
	return v
}

// Uint32 is U32 that also reports whether the attribute is there and
// long enough.
func (t Table) Uint32(typ uint16) (uint32, bool) {
	if v := t[typ]; len(v) >= 4 {
		return native.Uint32(v), true
	}
	return 0, false
}

// U64 is rta_getattr_u64 in host order, 0 when absent or short.
func (t Table) U64(typ uint16) uint64 {
	if v := t[typ]; len(v) >= 8 {
		return native.Uint64(v)
	}
	return 0
}

// Str is rta_getattr_str: the attribute up to its first NUL.
func (t Table) Str(typ uint16) string {
	return unix.ByteSliceToString(t[typ])
}

// BE16 is rta_getattr_be16: a 16-bit attribute in network order, 0 when
// absent or short.
func (t Table) BE16(typ uint16) uint16 {
	if v := t[typ]; len(v) >= 2 {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}
