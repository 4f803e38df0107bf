package ipshow

import (
	"bytes"
	"fmt"
	"strings"
)

// jsonWriter is iproute2's lib/json_writer.c: a streaming JSON writer whose
// separators, escapes and pretty layout ip's -j and -p output are made of.
type jsonWriter struct {
	out    *bytes.Buffer
	depth  int
	pretty bool
	sep    byte // 0 or ','
}

func (w *jsonWriter) indent() {
	w.out.WriteString(strings.Repeat("    ", w.depth))
}

func (w *jsonWriter) eol() {
	if !w.pretty {
		return
	}
	w.out.WriteByte('\n')
	w.indent()
}

func (w *jsonWriter) eor() {
	if w.sep != 0 {
		w.out.WriteByte(w.sep)
	}
	w.sep = ','
}

// puts writes s quoted, with json_writer.c's escapes only: other control
// characters and non-ASCII bytes go out as they are.
func (w *jsonWriter) puts(s string) {
	w.out.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t':
			w.out.WriteString(`\t`)
		case '\n':
			w.out.WriteString(`\n`)
		case '\r':
			w.out.WriteString(`\r`)
		case '\f':
			w.out.WriteString(`\f`)
		case '\b':
			w.out.WriteString(`\b`)
		case '\\':
			w.out.WriteString(`\\`)
		case '"':
			w.out.WriteString(`\"`)
		default:
			w.out.WriteByte(c)
		}
	}
	w.out.WriteByte('"')
}

// destroy ends the document, as jsonw_destroy does, with a newline.
func (w *jsonWriter) destroy() {
	w.out.WriteByte('\n')
}

func (w *jsonWriter) begin(c byte) {
	w.eor()
	w.out.WriteByte(c)
	w.depth++
	w.sep = 0
}

func (w *jsonWriter) end(c byte) {
	w.depth--
	if w.sep != 0 {
		w.eol()
	}
	w.out.WriteByte(c)
	w.sep = ','
}

func (w *jsonWriter) name(name string) {
	w.eor()
	w.eol()
	w.sep = 0
	w.puts(name)
	w.out.WriteByte(':')
	if w.pretty {
		w.out.WriteByte(' ')
	}
}

func (w *jsonWriter) printf(format string, args ...any) {
	w.eor()
	fmt.Fprintf(w.out, format, args...)
}

func (w *jsonWriter) startObject() { w.begin('{') }
func (w *jsonWriter) endObject()   { w.end('}') }

func (w *jsonWriter) startArray() {
	w.begin('[')
	if w.pretty {
		w.out.WriteByte(' ')
	}
}

func (w *jsonWriter) endArray() {
	if w.pretty && w.sep != 0 {
		w.out.WriteByte(' ')
	}
	w.sep = 0
	w.end(']')
}

func (w *jsonWriter) str(s string) {
	w.eor()
	w.puts(s)
}
