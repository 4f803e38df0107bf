package lint

import (
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/topology"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/runner"
)

// TestCheckAndGraphAgreeWithTheRunner runs the scenarios of testdata/agree,
// which build their networks under retry, "ip netns exec" and "ip -n", for
// real, and checks that "netscript check" finds no problem in them and that
// the network "netscript graph" draws is the one the runner built: the same
// namespaces and links, up or down, with the same bridge ports and IPv4
// addresses.
func TestCheckAndGraphAgreeWithTheRunner(t *testing.T) {
	files, err := filepath.Glob("testdata/agree/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios in testdata/agree: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var c Checker
			diags, err := c.Paths([]string{file})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range diags {
				if !d.Warning && !d.Note {
					t.Errorf("check: %s", d)
				}
			}
			sc, err := topology.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range sc.Problems {
				t.Errorf("graph: %s:%d: %s", file, p.Line, p.Msg)
			}
			graphed := graphState(sc.Topology)

			var mu sync.Mutex
			var ran string
			snapshot := runner.WithWorldWatch(func(_ string, w *world.World) (func(bool), error) {
				return func(bool) {
					s, err := worldState(w)
					if err != nil {
						s = err.Error()
					}
					mu.Lock()
					ran = s
					mu.Unlock()
				}, nil
			})
			t.Run("run", func(t *testing.T) { runner.Run(t, "", runner.WithFiles(file), snapshot) })
			mu.Lock()
			defer mu.Unlock()
			if ran == "" {
				t.Skip("the scenario did not run")
			}
			t.Logf("the runner built:\n%s", ran)
			if ran != graphed {
				t.Errorf("the runner built:\n%s\nnetscript graph draws:\n%s", ran, graphed)
			}
		})
	}
}

// graphState formats the topology as worldState formats a World: a line
// per namespace, in name order.
func graphState(top *topology.Topology) string {
	var lines []string
	for _, ns := range top.Namespaces {
		var links []string
		for _, l := range ns.Links {
			var addrs []netip.Prefix
			for _, a := range l.Addrs {
				if a.Addr().Is4() {
					addrs = append(addrs, a)
				}
			}
			master := ""
			if l.Master != nil {
				master = l.Master.Name
			}
			links = append(links, linkState(l.Name, l.Up, master, addrs))
		}
		slices.Sort(links)
		lines = append(lines, fmt.Sprintf("%q: %s\n", ns.Name, strings.Join(links, " ")))
	}
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// worldState formats every namespace of w with its links, sorted by name.
func worldState(w *world.World) (string, error) {
	var lines []string
	for _, ns := range w.All() {
		h, err := ns.Netlink()
		if err != nil {
			return "", err
		}
		list, err := h.LinkList()
		if err != nil {
			return "", err
		}
		names := make(map[int]string)
		for _, l := range list {
			names[l.Attrs().Index] = l.Attrs().Name
		}
		var links []string
		for _, l := range list {
			a := l.Attrs()
			got, err := h.AddrList(l, unix.AF_INET)
			if err != nil {
				return "", err
			}
			var addrs []netip.Prefix
			for _, g := range got {
				ip, _ := netip.AddrFromSlice(g.IP.To4())
				ones, _ := g.Mask.Size()
				if !ip.IsLoopback() {
					addrs = append(addrs, netip.PrefixFrom(ip, ones))
				}
			}
			links = append(links, linkState(a.Name, a.Flags&net.FlagUp != 0, names[a.MasterIndex], addrs))
		}
		slices.Sort(links)
		lines = append(lines, fmt.Sprintf("%q: %s\n", ns.Name, strings.Join(links, " ")))
	}
	slices.Sort(lines)
	return strings.Join(lines, ""), nil
}

func linkState(name string, up bool, master string, addrs []netip.Prefix) string {
	s := name
	if up {
		s += ",up"
	}
	if master != "" {
		s += ",master=" + master
	}
	for _, a := range addrs {
		s += "," + a.String()
	}
	return s
}
