package topology

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden pictures in testdata")

// pictures are the scenarios the picture tests draw: the shipped ones and
// this package's mesh and bridge.
func pictures(t *testing.T) []string {
	t.Helper()
	shipped, err := filepath.Glob("../../scenarios/*.txtar")
	if err != nil || len(shipped) == 0 {
		t.Fatalf("no shipped scenarios (%v)", err)
	}
	return append(shipped, "testdata/mesh4.txtar", "testdata/bridge.txtar")
}

// TestGolden compares the DOT and Mermaid pictures of the tutorial's final
// state, and of a mesh and a bridge, with testdata; -update rewrites them.
func TestGolden(t *testing.T) {
	for _, src := range []string{"../../scenarios/veth-pair.txtar", "testdata/mesh4.txtar", "testdata/bridge.txtar"} {
		for _, format := range []string{"dot", "mermaid"} {
			golden := filepath.Join("testdata", Title(src)+"."+format)
			t.Run(filepath.Base(golden), func(t *testing.T) {
				var b bytes.Buffer
				sc, err := ReadFile(src)
				if err != nil {
					t.Fatal(err)
				}
				if err := Render(&b, sc.Topology, Title(src), format); err != nil {
					t.Fatal(err)
				}
				if *update {
					if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatal(err)
				}
				if got := b.String(); got != string(want) {
					t.Errorf("%s:\n%s\nwant (%s):\n%s", format, got, golden, want)
				}
			})
		}
	}
}

// TestSVG checks that each picture is well-formed XML that names every
// namespace and link, draws every veth pair, and lays out boxes that do
// not overlap and rows that stay inside their box.
func TestSVG(t *testing.T) {
	for _, src := range pictures(t) {
		t.Run(Title(src), func(t *testing.T) {
			sc, err := ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := sc.Topology.SVG(&b, Title(src)); err != nil {
				t.Fatal(err)
			}
			texts, veths := svgContents(t, b.Bytes())
			v := newView(sc.Topology)
			for _, ns := range v.namespaces {
				if !texts[ns.Label()] {
					t.Errorf("namespace %s is not in the picture", ns.Label())
				}
				for _, l := range v.links[ns] {
					if !texts[l.Name] {
						t.Errorf("link %s of %s is not in the picture", l.Name, ns.Label())
					}
					for _, a := range l.Addrs {
						if !texts[a.String()] {
							t.Errorf("address %s of %s is not in the picture", a, l.Name)
						}
					}
				}
			}
			if veths != len(v.pairs) {
				t.Errorf("%d veth curves, want %d", veths, len(v.pairs))
			}
			checkLayout(t, sc.Topology)
		})
	}
}

// svgContents parses an SVG document and returns its texts and the number
// of veth curves.
func svgContents(t *testing.T, doc []byte) (map[string]bool, int) {
	t.Helper()
	texts := make(map[string]bool)
	veths := 0
	d := xml.NewDecoder(bytes.NewReader(doc))
	var inText bool
	var root string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Space + " " + tok.Name.Local
			}
			inText = tok.Name.Local == "text"
			for _, a := range tok.Attr {
				if tok.Name.Local == "path" && a.Name.Local == "class" && a.Value == "veth" {
					veths++
				}
			}
		case xml.CharData:
			if inText {
				texts[strings.TrimSpace(string(tok))] = true
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q, want svg in the SVG namespace", root)
	}
	return texts, veths
}

// checkLayout lays t out as SVG does and checks the geometry.
func checkLayout(t *testing.T, top *Topology) {
	t.Helper()
	v := newView(top)
	var boxes []*svgBox
	for _, ns := range v.namespaces {
		boxes = append(boxes, sizeBox(ns, v.links[ns]))
	}
	adj := make(map[[2]int]bool)
	for _, p := range v.pairs {
		i, j := indexOf(v.namespaces, p[0].NS), indexOf(v.namespaces, p[1].NS)
		if i != j {
			adj[[2]int{min(i, j), max(i, j)}] = true
		}
	}
	place(boxes, adj)
	if !apart(boxes) {
		t.Errorf("boxes overlap")
	}
	for _, b := range boxes {
		b.placeRows()
		for _, r := range b.rows {
			if r.x < b.left() || r.x+r.w > b.left()+b.w || r.y < b.top() || r.y+r.h > b.top()+b.h {
				t.Errorf("row %s sticks out of box %s", r.link.Name, b.ns.Label())
			}
		}
	}
}

func indexOf(list []*Namespace, ns *Namespace) int {
	for i, n := range list {
		if n == ns {
			return i
		}
	}
	return -1
}

func TestFindHub(t *testing.T) {
	star := map[[2]int]bool{{0, 1}: true, {0, 2}: true, {0, 3}: true}
	chain := map[[2]int]bool{{0, 1}: true, {1, 2}: true}
	mesh := map[[2]int]bool{{0, 1}: true, {0, 2}: true, {1, 2}: true}
	for _, tt := range []struct {
		n    int
		adj  map[[2]int]bool
		want int
	}{
		{4, star, 0}, {3, chain, 1}, {3, mesh, -1}, {2, map[[2]int]bool{{0, 1}: true}, -1}, {3, nil, -1},
	} {
		if got := findHub(tt.n, tt.adj); got != tt.want {
			t.Errorf("findHub(%d, %v) = %d, want %d", tt.n, tt.adj, got, tt.want)
		}
	}
}

// TestPicturesOfOddTopologies draws what scenarios may leave behind: an
// empty root, namespaces without links, a pair inside one namespace,
// names that need escaping, and links that are down.
func TestPicturesOfOddTopologies(t *testing.T) {
	for _, script := range []string{
		"",
		"ip netns add a",
		"ip link add x type veth peer name y",
		"ip netns add 'a<&>\"b'\nip -n 'a<&>\"b' link add 'x<y' type veth peer name 'p\"q'",
		"ip netns add a\nip -n a link add br0 type bridge\nip -n a link add p type veth peer name q\nip -n a link set p master br0",
		"ip -n nowhere link add x type bridge",
	} {
		top := Read("odd.txtar", []byte(script+"\n")).Topology
		for _, format := range Formats {
			var b bytes.Buffer
			if err := Render(&b, top, "odd <&> \"title\"", format); err != nil {
				t.Errorf("%q as %s: %v", script, format, err)
			}
			if format == "svg" {
				svgContents(t, b.Bytes())
				checkLayout(t, top)
			}
		}
	}
	if err := Render(io.Discard, newTopology(), "x", "png"); err == nil || !strings.Contains(err.Error(), `unknown graph format "png"`) {
		t.Errorf("Render png: %v", err)
	}
}

func TestMain_(t *testing.T) {
	tests := []struct {
		args        []string
		code        int
		out, errout string // substrings
	}{
		{[]string{"../../scenarios/veth-pair.txtar"}, 0, `graph "veth-pair" {`, ""},
		{[]string{"-format", "mermaid", "../../scenarios/veth-pair.txtar"}, 0, "flowchart LR", ""},
		{[]string{"-format=svg", "testdata/bridge.txtar"}, 0, "<svg", ""},
		{[]string{"-h"}, 0, "", "usage: netscript graph"},
		{nil, 2, "", "usage: netscript graph"},
		{[]string{"a.txtar", "b.txtar"}, 2, "", "usage: netscript graph"},
		{[]string{"-format", "png", "x.txtar"}, 2, "", `unknown format "png"`},
		{[]string{"-frob", "x.txtar"}, 2, "", "flag provided but not defined: -frob"},
		{[]string{"testdata/nonexistent.txtar"}, 2, "", "no such file or directory"},
		{[]string{"testdata/problems.txtar"}, 0, `"ns0/veth0"`, `testdata/problems.txtar:3: no device "veth0" in the root namespace (it is created later, at line 4)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errout bytes.Buffer
			code := Main(tt.args, &out, &errout)
			if code != tt.code || !strings.Contains(out.String(), tt.out) || !strings.Contains(errout.String(), tt.errout) {
				t.Errorf("Main(%q) = %d\nstdout: %s\nstderr: %s\nwant %d, stdout with %q, stderr with %q",
					tt.args, code, out.String(), errout.String(), tt.code, tt.out, tt.errout)
			}
		})
	}
}

// TestMainRefusesSpecialFiles: graph reads regular files of at most 16
// MiB only, and says what else it was given, at once.
func TestMainRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.txtar")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.txtar")
	urandom := filepath.Join(dir, "urandom.txtar")
	if os.Symlink("/dev/zero", zero) != nil || os.Symlink("/dev/urandom", urandom) != nil {
		t.Fatal("cannot make symlinks")
	}
	big := filepath.Join(dir, "big.txtar")
	if err := os.WriteFile(big, nil, 0o644); err != nil || os.Truncate(big, 16<<20+1) != nil {
		t.Fatal("cannot make a big file")
	}
	tests := []struct{ file, msg string }{
		{fifo, "not a regular file (a FIFO)"},
		{zero, "not a regular file (a character device)"},
		{urandom, "not a regular file (a character device)"},
		{dir, "not a regular file (a directory)"},
		{big, "larger than 16 MiB"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			var out, errout bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- Main([]string{tt.file}, &out, &errout) }()
			select {
			case code := <-done:
				want := "netscript graph: " + tt.file + ": " + tt.msg + "\n"
				if code != ExitUsage || errout.String() != want || out.Len() > 0 {
					t.Errorf("Main(%s) = %d, stderr %q, stdout %q; want %d, %q", tt.file, code, errout.String(), out.String(), ExitUsage, want)
				}
			case <-time.After(time.Minute):
				t.Fatalf("Main(%s) still running after a minute", tt.file)
			}
		})
	}
}

// FuzzRead: any file reads, and draws in every format, without a panic.
func FuzzRead(f *testing.F) {
	for _, src := range []string{"../../scenarios/veth-pair.txtar", "testdata/bridge.txtar", "testdata/mesh4.txtar"} {
		data, err := os.ReadFile(src)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("ip link add type veth\nip link add br%d type bridge\nip netns add a\nip link set veth0 netns a name %d\nip netns del a\n"))
	f.Add([]byte("env X='a b'\nip netns add $X\n[x] ! ip -n $X link add 'q''r' type veth peer name x netns $X\n-- f --\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := Read("fuzz.txtar", data)
		for _, format := range Formats {
			if err := Render(io.Discard, sc.Topology, "fuzz", format); err != nil {
				t.Fatal(err)
			}
		}
	})
}
