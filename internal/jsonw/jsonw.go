// Package jsonw is a port of iproute2's lib/json_writer.c: the streaming
// JSON writer whose separators, escapes and pretty layout make up the -j
// and -p output of ip and bridge, so netscript's JSON matches theirs byte
// for byte.
package jsonw

import (
	"fmt"
	"io"
	"strings"
)

// Buffer is what a Writer writes to: *bytes.Buffer and *strings.Builder.
type Buffer interface {
	io.Writer
	io.ByteWriter
	io.StringWriter
}

// New returns a Writer onto out, indenting as "-p" does when pretty.
func New(out Buffer, pretty bool) *Writer {
	return &Writer{out: out, pretty: pretty}
}

// Writer is iproute2's lib/json_writer.c: a streaming JSON writer whose
// separators, escapes and pretty layout the -j and -p output of ip and
// bridge are made of.
type Writer struct {
	out    Buffer
	depth  int
	pretty bool
	sep    byte // 0 or ','
}

func (w *Writer) indent() {
	w.out.WriteString(strings.Repeat("    ", w.depth))
}

func (w *Writer) eol() {
	if !w.pretty {
		return
	}
	w.out.WriteByte('\n')
	w.indent()
}

func (w *Writer) eor() {
	if w.sep != 0 {
		w.out.WriteByte(w.sep)
	}
	w.sep = ','
}

// puts writes s quoted, with json_writer.c's escapes only: other control
// characters and non-ASCII bytes go out as they are.
func (w *Writer) puts(s string) {
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

// Destroy ends the document, as jsonw_destroy does, with a newline.
func (w *Writer) Destroy() {
	w.out.WriteByte('\n')
}

func (w *Writer) begin(c byte) {
	w.eor()
	w.out.WriteByte(c)
	w.depth++
	w.sep = 0
}

func (w *Writer) end(c byte) {
	w.depth--
	if w.sep != 0 {
		w.eol()
	}
	w.out.WriteByte(c)
	w.sep = ','
}

// Name writes an object key, as jsonw_name does.
func (w *Writer) Name(name string) {
	w.eor()
	w.eol()
	w.sep = 0
	w.puts(name)
	w.out.WriteByte(':')
	if w.pretty {
		w.out.WriteByte(' ')
	}
}

// Printf writes a value formatted by fmt, as jsonw_printf does.
func (w *Writer) Printf(format string, args ...any) {
	w.eor()
	fmt.Fprintf(w.out, format, args...)
}

// StartObject opens an object.
func (w *Writer) StartObject() { w.begin('{') }

// EndObject closes an object.
func (w *Writer) EndObject() { w.end('}') }

// StartArray opens an array.
func (w *Writer) StartArray() {
	w.begin('[')
	if w.pretty {
		w.out.WriteByte(' ')
	}
}

// EndArray closes an array.
func (w *Writer) EndArray() {
	if w.pretty && w.sep != 0 {
		w.out.WriteByte(' ')
	}
	w.sep = 0
	w.end(']')
}

// Str writes a quoted string value.
func (w *Writer) Str(s string) {
	w.eor()
	w.puts(s)
}
