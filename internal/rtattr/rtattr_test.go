package rtattr

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// attr encodes one attribute, padded to 4 bytes; length overrides its
// rta_len when not 0.
func attr(typ uint16, value []byte, length int) []byte {
	if length == 0 {
		length = unix.SizeofRtAttr + len(value)
	}
	b := make([]byte, 4, 4+len(value)+3)
	native.PutUint16(b[0:], uint16(length))
	native.PutUint16(b[2:], typ)
	b = append(b, value...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestParse(t *testing.T) {
	nested := cat(attr(1, []byte("in"), 0), attr(2, []byte{7, 0, 0, 0}, 0))
	tests := []struct {
		name string
		in   []byte
		want map[uint16]string // type -> value; absent types must be absent
	}{
		{"empty", nil, map[uint16]string{}},
		{"one", attr(3, []byte("abc"), 0), map[uint16]string{3: "abc"}},
		{"first wins", cat(attr(3, []byte("first"), 0), attr(3, []byte("second"), 0)), map[uint16]string{3: "first"}},
		{"nested flag cleared", attr(5|unix.NLA_F_NESTED, nested, 0), map[uint16]string{5: string(nested)}},
		{"header only", []byte{4, 0, 9, 0}, map[uint16]string{9: ""}},
		{"short header", []byte{8, 0, 1}, map[uint16]string{}},
		{"length below header", cat([]byte{2, 0, 1, 0}, attr(2, []byte("x"), 0)), map[uint16]string{}},
		{"length past end", cat(attr(1, []byte("ok"), 0), attr(2, []byte("abcd"), 64)), map[uint16]string{1: "ok"}},
		{"last unpadded", []byte{5, 0, 1, 0, 'z'}, map[uint16]string{1: "z"}},
		{"trailing bytes", cat(attr(1, []byte("ok"), 0), []byte{1, 2}), map[uint16]string{1: "ok"}},
		{"max length", cat(attr(1, []byte("ok"), 0), []byte{0xff, 0xff, 2, 0}), map[uint16]string{1: "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("Parse = %v, want %v", got, tt.want)
			}
			for typ, v := range tt.want {
				if g, ok := got[typ]; !ok || string(g) != v {
					t.Errorf("type %d = %q (present %v), want %q", typ, g, ok, v)
				}
			}
		})
	}
}

func TestNestedAndGetters(t *testing.T) {
	inner := cat(attr(1, []byte("eth0\x00junk"), 0), attr(2, []byte{7, 0, 0, 0}, 0), attr(2, []byte{9, 0, 0, 0}, 0))
	tb := Parse(cat(attr(10|unix.NLA_F_NESTED, inner, 0), attr(11, []byte{1, 2}, 0)))
	in := tb.Nested(10)
	if got := in.Str(1); got != "eth0" {
		t.Errorf("Str = %q, want eth0", got)
	}
	if got := in.U32(2); got != 7 {
		t.Errorf("U32 = %d, want 7 (the first)", got)
	}
	if _, ok := tb.Uint32(11); ok {
		t.Error("Uint32 of a 2-byte attribute reported ok")
	}
	if got := tb.U16(11); got != native.Uint16([]byte{1, 2}) {
		t.Errorf("U16 = %d", got)
	}
	if tb.U64(11) != 0 || tb.U8(99) != 0 || tb.Has(99) || len(tb.Nested(99)) != 0 {
		t.Error("getters of absent or short attributes are not zero")
	}
	if got := ParseMasked(attr(5|unix.NLA_F_NESTED, nil, 0), 0); !got.Has(5 | unix.NLA_F_NESTED) {
		t.Error("ParseMasked with no mask cleared the nested flag")
	}
}

func TestListKeepsDuplicates(t *testing.T) {
	got := List(cat(attr(2, []byte{1}, 0), attr(2, []byte{2}, 0), attr(3, nil, 0)))
	if len(got) != 3 || got[0].Value[0] != 1 || got[1].Value[0] != 2 || got[2].Type != 3 {
		t.Errorf("List = %v", got)
	}
}

// FuzzParse checks that no input makes the decoder panic, that every value
// lies inside the input, and that Parse keeps the first of each type.
func FuzzParse(f *testing.F) {
	f.Add(attr(1, []byte("abc"), 0))
	f.Add(cat(attr(3, []byte("first"), 0), attr(3, []byte("second"), 0)))
	f.Add([]byte{0xff, 0xff, 1, 0, 1, 2, 3})
	f.Add([]byte{5, 0, 1, 0, 'z'})
	f.Fuzz(func(t *testing.T, b []byte) {
		list := List(b)
		n := 0
		for _, a := range list {
			n += unix.SizeofRtAttr + len(a.Value)
			if cap(a.Value) != len(a.Value) {
				t.Fatalf("value of type %d reaches past its attribute", a.Type)
			}
		}
		if n > len(b) {
			t.Fatalf("attributes take %d bytes of %d", n, len(b))
		}
		tb := Parse(b)
		for i := len(list) - 1; i >= 0; i-- {
			a := list[i]
			typ := a.Type &^ unix.NLA_F_NESTED
			first := true
			for _, e := range list[:i] {
				if e.Type&^unix.NLA_F_NESTED == typ {
					first = false
				}
			}
			if first && !bytes.Equal(tb[typ], a.Value) {
				t.Fatalf("type %d: Parse kept %q, want the first, %q", typ, tb[typ], a.Value)
			}
			_ = tb.Nested(typ).U64(1)
		}
	})
}
