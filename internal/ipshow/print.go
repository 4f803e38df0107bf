package ipshow

import (
	"bytes"
	"fmt"

	"github.com/netscript/netscript/internal/jsonw"
)

// outType says where a print call goes, as iproute2's enum output_type.
type outType int

const (
	outFP   outType = 1 << iota // text output only (PRINT_FP)
	outJSON                     // JSON output only (PRINT_JSON)
	outAny                      // both (PRINT_ANY)
)

// printer is iproute2's lib/json_print.c: each call prints a value either
// as text, with a Go format string standing for ip's printf format, or as a
// JSON member, depending on the output mode and the call's outType.
type printer struct {
	buf bytes.Buffer
	jw  *jsonw.Writer // nil for text output
}

func newPrinter(json, pretty bool) *printer {
	p := &printer{}
	if json {
		p.jw = jsonw.New(&p.buf, pretty)
	}
	return p
}

func (p *printer) isJSON() bool { return p.jw != nil }

func (p *printer) jsonCtx(t outType) bool { return p.jw != nil && t&(outJSON|outAny) != 0 }
func (p *printer) fpCtx(t outType) bool   { return p.jw == nil && t&(outFP|outAny) != 0 }

// begin is new_json_obj: JSON output is one array of objects.
func (p *printer) begin() {
	if p.jw != nil {
		p.jw.StartArray()
	}
}

// end is delete_json_obj.
func (p *printer) end() {
	if p.jw != nil {
		p.jw.EndArray()
		p.jw.Destroy()
	}
}

// lit prints text as it is in text mode (a print call whose format has no
// conversion).
func (p *printer) lit(text string) {
	if p.jw == nil {
		p.buf.WriteString(text)
	}
}

// nl is print_nl: a line break in text mode.
func (p *printer) nl() { p.lit("\n") }

// str is print_string; an empty key makes an array element.
func (p *printer) str(t outType, key, format, value string) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Str(value)
	case p.fpCtx(t):
		fmt.Fprintf(&p.buf, format, value)
	}
}

// int is print_int (and print_uint: the JSON text of a number is the same).
func (p *printer) int(t outType, key, format string, v int64) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Printf("%d", v)
	case p.fpCtx(t):
		fmt.Fprintf(&p.buf, format, v)
	}
}

// boolean is print_bool; text is what text mode prints.
func (p *printer) boolean(t outType, key, text string, v bool) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Printf("%t", v)
	case p.fpCtx(t):
		p.buf.WriteString(text)
	}
}

// null is print_null in JSON: key: null.
func (p *printer) null(key string) {
	if p.jw != nil {
		p.jw.Name(key)
		p.jw.Printf("null")
	}
}

// hex is print_hex: a string of hex digits in JSON.
func (p *printer) hex(t outType, key, format string, v uint32) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Str(fmt.Sprintf("%x", v))
	case p.fpCtx(t):
		fmt.Fprintf(&p.buf, format, v)
	}
}

// openObject is open_json_object; key "" opens an array element.
func (p *printer) openObject(key string) {
	if p.jw != nil {
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.StartObject()
	}
}

// closeObject is close_json_object.
func (p *printer) closeObject() {
	if p.jw != nil {
		p.jw.EndObject()
	}
}

// openArray is open_json_array: in text mode it prints text.
func (p *printer) openArray(t outType, key, text string) {
	switch {
	case p.jsonCtx(t):
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.StartArray()
	case p.fpCtx(t):
		p.buf.WriteString(text)
	}
}

// closeArray is close_json_array: in text mode it prints text.
func (p *printer) closeArray(t outType, text string) {
	switch {
	case p.jsonCtx(t):
		p.jw.EndArray()
	case p.fpCtx(t):
		p.buf.WriteString(text)
	}
}
