package iproute

import (
	"strings"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/realtool"
)

// TestLinkAddUpIsSettled checks that "ip link add NAME up type veth"
// returns with the link's carrier and operstate worked out: the kernel
// leaves them to its linkwatch queue, which for a link created up may wait
// up to a second, so a dump right after would show state UNKNOWN.
func TestLinkAddUpIsSettled(t *testing.T) {
	realtool.RequireRoot(t)
	w, nss := realtool.NewWorld(t, "a")
	ns := nss[0]
	ip := ipCmd()
	for i := range 5 { // a race lost once in a while would slip past one try
		name := "vE" + strings.Repeat("x", i)
		if r := realtool.MustBuiltin(t, w, ns, 10*time.Second, ip, "link", "add", name, "up", "type", "veth", "peer", "name", "p"+name); r.Code != 0 {
			t.Fatalf("ip link add: %s", r)
		}
		r := realtool.MustBuiltin(t, w, ns, 10*time.Second, ip, "-br", "link") // a dump: no sync of its own
		if want := name + "@p" + name + " "; !strings.Contains(r.Stdout, want) {
			t.Fatalf("ip -br link lacks %q:\n%s", want, r.Stdout)
		}
		for _, line := range strings.Split(r.Stdout, "\n") {
			if strings.HasPrefix(line, name+"@") && !strings.Contains(line, "LOWERLAYERDOWN") {
				t.Errorf("right after ip link add %s up: %q, want state LOWERLAYERDOWN", name, line)
			}
		}
	}
}
