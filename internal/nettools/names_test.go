package nettools

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// withNameFiles points the resolver at files holding the given texts for
// the rest of the test. Tests using it must not run in parallel.
func withNameFiles(t *testing.T, nsswitch, hosts, networks string) {
	t.Helper()
	dir := t.TempDir()
	saved := [3]string{nsswitchPath, hostsPath, networksPath}
	t.Cleanup(func() { nsswitchPath, hostsPath, networksPath = saved[0], saved[1], saved[2] })
	for _, f := range []struct {
		path *string
		name string
		text string
	}{{&nsswitchPath, "nsswitch.conf", nsswitch}, {&hostsPath, "hosts", hosts}, {&networksPath, "networks", networks}} {
		*f.path = filepath.Join(dir, f.name)
		if err := os.WriteFile(*f.path, []byte(f.text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	testHosts    = "127.0.0.1 localhost\n10.0.0.2 gw.example gw # router\n::1 localhost6\n10.0.0.2 second\n"
	testNetworks = "# comment\nloopback 127\nlink-local 169.254.0.0\nten 10.0\nlongnetworkname-x 10.7.0.0\n"
)

// addr returns a dotted-quad address in host order.
func addr(s string) uint32 {
	b := netip.MustParseAddr(s).As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func TestResolver(t *testing.T) {
	tests := []struct {
		nsswitch string
		route    procRoute
		dst, gw  string
		err      string
	}{
		{"hosts: files dns\nnetworks: files\n", procRoute{}, "default", "0.0.0.0", ""},
		{"hosts: files dns\nnetworks: files\n", procRoute{mask: addr("128.0.0.0")}, "0.0.0.0", "0.0.0.0", ""},
		{"hosts: files dns\nnetworks: files\n", procRoute{dst: addr("10.0.0.0"), mask: addr("255.255.0.0")}, "ten", "0.0.0.0", ""},
		{"hosts: files dns\nnetworks: files\n", procRoute{dst: addr("127.0.0.0"), mask: addr("255.0.0.0")}, "loopback", "0.0.0.0", ""},
		{"hosts: files dns\nnetworks: files\n", procRoute{dst: addr("10.1.0.0"), mask: addr("255.255.0.0")}, "10.1.0.0", "0.0.0.0", ""},
		{"hosts: files dns\nnetworks: files\n", procRoute{dst: addr("10.7.0.0"), mask: addr("255.255.0.0")}, "longnetworkname-x", "0.0.0.0", ""},
		{"hosts: files dns\nnetworks: files\n", procRoute{dst: addr("127.0.0.1"), mask: ^uint32(0), flags: rtfHost}, "localhost", "0.0.0.0", ""},
		{"hosts: files dns\nnetworks: files\n", procRoute{gw: addr("10.0.0.2"), flags: rtfGateway}, "default", "gw.example", ""},
		{"hosts: files dns\nnetworks: files\n", procRoute{gw: addr("10.0.0.3")}, "default", "",
			"netscript cannot look up the host name of 10.0.0.3 without the network (DNS): use route -n"},
		{"hosts: files dns\nnetworks: files\n", procRoute{dst: addr("10.9.9.9"), mask: ^uint32(0), flags: rtfHost}, "", "",
			"netscript cannot look up the host name of 10.9.9.9 without the network (DNS): use route -n"},
		// Host bits set: a host lookup even without H.
		{"hosts: files dns\nnetworks: files\n", procRoute{dst: addr("10.0.0.1"), mask: addr("255.255.255.0")}, "", "",
			"netscript cannot look up the host name of 10.0.0.1 without the network (DNS): use route -n"},
		{"hosts: files\nnetworks: files\n", procRoute{gw: addr("10.0.0.3")}, "default", "10.0.0.3", ""},
		{"hosts: files [NOTFOUND=return] dns\nnetworks: files dns\n", procRoute{dst: addr("10.2.0.0"), mask: addr("255.255.0.0")}, "", "",
			"netscript cannot look up the network name of 10.2.0.0 without the network (DNS): use route -n"},
		{"networks: files\n", procRoute{dst: addr("127.0.0.1"), mask: ^uint32(0), flags: rtfHost}, "", "",
			"netscript cannot look up the host name of 127.0.0.1 without the network (DNS): use route -n"},
	}
	for _, tt := range tests {
		withNameFiles(t, tt.nsswitch, testHosts, testNetworks)
		n := &resolver{}
		dst, err := n.destination(tt.route)
		var gw string
		if err == nil {
			gw, err = n.gateway(tt.route)
		}
		switch {
		case tt.err != "":
			if err == nil || err.Error() != tt.err {
				t.Errorf("%+v: error %v, want %q", tt.route, err, tt.err)
			}
		case err != nil || dst != tt.dst || gw != tt.gw:
			t.Errorf("%+v: got %q %q %v, want %q %q", tt.route, dst, gw, err, tt.dst, tt.gw)
		}
	}
}

// TestFormatNames checks the name columns' 15-byte cut.
func TestFormatNames(t *testing.T) {
	withNameFiles(t, "hosts: files dns\nnetworks: files\n", testHosts, testNetworks)
	routes := []procRoute{{iface: "veth0", dst: addr("10.7.0.0"), mask: addr("255.255.0.0"), flags: rtfUp}}
	got, err := formatFIB(routes, 1, &resolver{})
	if err != nil {
		t.Fatal(err)
	}
	want := fibTitle + fibHeader[1] + "longnetworkname 0.0.0.0         255.255.0.0     U     0      0        0 veth0\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
