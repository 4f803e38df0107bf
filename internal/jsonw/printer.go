package jsonw

import (
	"bytes"
	"fmt"
	"strings"
)

// Out says where a Printer call goes, as iproute2's enum output_type.
type Out int

// The destinations of a Printer call.
const (
	FP   Out = 1 << iota // text output only (PRINT_FP)
	JSON                 // JSON output only (PRINT_JSON)
	Any                  // both (PRINT_ANY)
)

// Printer is iproute2's lib/json_print.c: each call prints a value either
// as text, with a Go format standing for ip's printf format, or as a JSON
// member, depending on the output mode and the call's Out.
type Printer struct {
	Buf bytes.Buffer
	jw  *Writer // nil for text output
}

// NewPrinter returns a Printer for JSON output when json is set (indented
// when pretty), for text output otherwise.
func NewPrinter(json, pretty bool) *Printer {
	p := &Printer{}
	if json {
		p.jw = New(&p.Buf, pretty)
	}
	return p
}

// IsJSON is is_json_context.
func (p *Printer) IsJSON() bool { return p.jw != nil }

// Writer returns the JSON writer, nil in text mode, for members no print
// call covers (a raw number such as a timer's "1.50").
func (p *Printer) Writer() *Writer { return p.jw }

// InJSON reports whether a call of destination t prints in JSON mode.
func (p *Printer) InJSON(t Out) bool { return p.jsonCtx(t) }

// InText reports whether a call of destination t prints in text mode.
func (p *Printer) InText(t Out) bool { return p.fpCtx(t) }

func (p *Printer) jsonCtx(t Out) bool { return p.jw != nil && t&(JSON|Any) != 0 }
func (p *Printer) fpCtx(t Out) bool   { return p.jw == nil && t&(FP|Any) != 0 }

// Begin is new_json_obj: JSON output is one array of objects.
func (p *Printer) Begin() {
	if p.jw != nil {
		p.jw.StartArray()
	}
}

// End is delete_json_obj.
func (p *Printer) End() {
	if p.jw != nil {
		p.jw.EndArray()
		p.jw.Destroy()
	}
}

// Text prints text as it is in text mode.
func (p *Printer) Text(format string, args ...any) {
	if p.jw == nil {
		fmt.Fprintf(&p.Buf, format, args...)
	}
}

// Str is print_string; an empty key makes an array element.
func (p *Printer) Str(t Out, key, format, value string) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Str(value)
	case p.fpCtx(t):
		fmt.Fprintf(&p.Buf, format, value)
	}
}

// Uint is print_uint, print_int and print_u64: a JSON number.
func (p *Printer) Uint(t Out, key, format string, v int64) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Printf("%d", v)
	case p.fpCtx(t):
		fmt.Fprintf(&p.Buf, format, v)
	}
}

// Hex is print_0xhex: a JSON string "0x..." and text in format, where
// %#x prints 0 as C's printf does ("0", not "0x0").
func (p *Printer) Hex(t Out, key, format string, v uint64) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Str(cHex(v))
	case p.fpCtx(t):
		if v == 0 && strings.Contains(format, "%#x") {
			p.Buf.WriteString(strings.ReplaceAll(format, "%#x", "0"))
			return
		}
		fmt.Fprintf(&p.Buf, format, v)
	}
}

// cHex is C's "%#llx".
func cHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

// Bool is print_bool: true or false in JSON, text in text mode.
func (p *Printer) Bool(t Out, key, text string, v bool) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Printf("%t", v)
	case p.fpCtx(t):
		p.Buf.WriteString(text)
	}
}

// Null is print_null: key: null in JSON, text in text mode.
func (p *Printer) Null(t Out, key, text string) {
	switch {
	case p.jsonCtx(t):
		p.jw.Name(key)
		p.jw.Printf("null")
	case p.fpCtx(t):
		p.Buf.WriteString(text)
	}
}

// OpenObject is open_json_object; key "" opens an array element.
func (p *Printer) OpenObject(key string) {
	if p.jw != nil {
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.StartObject()
	}
}

// CloseObject is close_json_object.
func (p *Printer) CloseObject() {
	if p.jw != nil {
		p.jw.EndObject()
	}
}

// OpenArray is open_json_array: in text mode it prints text.
func (p *Printer) OpenArray(t Out, key, text string) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.StartArray()
	case p.fpCtx(t):
		p.Buf.WriteString(text)
	}
}

// CloseArray is close_json_array: in text mode it prints text.
func (p *Printer) CloseArray(t Out, text string) {
	switch {
	case p.jsonCtx(t):
		p.jw.EndArray()
	case p.fpCtx(t):
		p.Buf.WriteString(text)
	}
}
