package ipshow

import (
	"fmt"

	"github.com/netscript/netscript/internal/jsonw"
)

// printer is iproute2's lib/json_print.c (jsonw.Printer), with the few calls
// only ip link and ip address make.
type printer struct {
	*jsonw.Printer
}

func newPrinter(json, pretty bool) *printer {
	return &printer{jsonw.NewPrinter(json, pretty)}
}

// lit prints text as it is in text mode (a print call whose format has no
// conversion).
func (p *printer) lit(text string) {
	if !p.IsJSON() {
		p.Buf.WriteString(text)
	}
}

// nl is print_nl: a line break in text mode.
func (p *printer) nl() { p.lit("\n") }

// null is print_null in JSON: key: null.
func (p *printer) null(key string) { p.Null(jsonw.JSON, key, "") }

// hex is print_hex: a string of hex digits in JSON.
func (p *printer) hex(t jsonw.Out, key, format string, v uint32) {
	switch {
	case p.InJSON(t):
		p.Str(jsonw.JSON, key, "", fmt.Sprintf("%x", v))
	case p.InText(t):
		fmt.Fprintf(&p.Buf, format, v)
	}
}
