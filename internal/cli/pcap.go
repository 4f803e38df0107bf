package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"sync"

	"github.com/netscript/netscript/internal/capture"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/runner"
)

// pcapRecorder captures every scenario's packets and keeps those of the
// failed ones as pcap files under dir/SCENARIO/.
type pcapRecorder struct {
	dir  string
	mu   sync.Mutex
	msgs []string
}

func newPcapRecorder(dir string) *pcapRecorder { return &pcapRecorder{dir: dir} }

func (p *pcapRecorder) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, fmt.Sprintf(format, args...))
}

// option is the runner option that captures each scenario's World.
func (p *pcapRecorder) option() runner.Option {
	return runner.WithWorldWatch(func(name string, w *world.World) (func(bool), error) {
		c, err := capture.Start(w)
		if err != nil {
			return nil, err
		}
		return func(failed bool) {
			err := c.Stop()
			if !failed {
				return
			}
			dir := filepath.Join(p.dir, unsafeName.ReplaceAllString(name, "_"))
			files, dropped, werr := c.WriteDir(dir)
			switch {
			case werr != nil:
				p.say("%s: %v", name, werr)
			case len(files) == 0:
				p.say("%s: no packet was captured", name)
			default:
				p.say("%s: packets of %d interface(s) in %s", name, len(files), dir)
			}
			if dropped > 0 {
				p.say("%s: %d packet(s) not kept (more than %d MiB, or a link type pcap cannot hold)", name, dropped, capture.MaxBytes>>20)
			}
			if err != nil {
				p.say("%s: %v", name, err)
			}
		}, nil
	})
}

// report prints where the captures went.
func (p *pcapRecorder) report(w io.Writer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sort.Strings(p.msgs)
	for _, m := range p.msgs {
		fmt.Fprintf(w, "netscript run: -pcap: %s\n", m)
	}
}
