// Package capture records the packets of every interface of a World, in
// process: a packet socket (AF_PACKET, ETH_P_ALL) per namespace, opened
// inside it, following the World into the namespaces it adds. What it
// holds is written as classic pcap files, one per interface, that tcpdump
// and Wireshark read: "why did this ping fail" gets an answer.
package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
)

// Limits of one capture: each packet is cut at Snaplen bytes, and once
// MaxBytes are held, later packets are counted, not kept.
const (
	Snaplen  = 65535
	MaxBytes = 64 << 20
)

// pcap link types (www.tcpdump.org/linktypes.html).
const (
	linktypeEthernet = 1
	linktypeRaw      = 101 // raw IPv4 or IPv6, for tun devices
)

// Capture records a World's packets from Start until Stop.
type Capture struct {
	w  *world.World
	wg sync.WaitGroup

	mu      sync.Mutex
	ifaces  map[ifaceKey]*iface
	bytes   int
	dropped int // packets not kept: MaxBytes reached, or an unknown link type
	errs    []error
	stopped bool
	socks   []*sock
}

type ifaceKey struct {
	ns    *world.NS
	index int
}

// iface is what was seen on one interface.
type iface struct {
	ns       string // the namespace's label
	name     string // the interface's name when first seen
	linktype uint32
	packets  []packet
}

type packet struct {
	at   time.Time
	data []byte
	size int // its length on the wire
}

// sock is one namespace's packet socket.
type sock struct {
	ns      *world.NS
	fd      int
	names   map[int]string // ifindex -> name, looked up on first sight
	stopped atomic.Bool
}

// Start begins capturing on every namespace of w, and on each namespace w
// adds later.
func Start(w *world.World) (*Capture, error) {
	c := &Capture{w: w, ifaces: make(map[ifaceKey]*iface)}
	w.OnAdd(func(ns *world.NS) {
		if err := c.open(ns); err != nil {
			c.fail(err)
		}
	})
	for _, ns := range w.All() {
		if err := c.open(ns); err != nil {
			c.Stop()
			return nil, err
		}
	}
	return c, nil
}

func (c *Capture) fail(err error) {
	c.mu.Lock()
	c.errs = append(c.errs, err)
	c.mu.Unlock()
}

// open opens a packet socket inside ns and reads it until ns closes or the
// capture stops.
func (c *Capture) open(ns *world.NS) error {
	s := &sock{ns: ns, fd: -1, names: make(map[int]string)}
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL)))
		if err != nil {
			return err
		}
		s.fd = fd
		return nil
	})
	if err != nil {
		return fmt.Errorf("capture in %s: packet socket: %w", ns.Label(), err)
	}
	// A short receive timeout lets the reader see stop (packet sockets
	// cannot be shut down). A socket also holds its namespace, so it
	// closes with it, or a deleted namespace (and its links) would live on.
	tv := unix.NsecToTimeval(pollInterval.Nanoseconds())
	if err := unix.SetsockoptTimeval(s.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(s.fd)
		return fmt.Errorf("capture in %s: %w", ns.Label(), err)
	}
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		unix.Close(s.fd)
		return nil
	}
	c.socks = append(c.socks, s)
	c.wg.Add(1)
	c.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer c.wg.Done()
		defer close(done)
		c.read(s)
	}()
	if err := ns.OnClose(func() error { s.stop(); <-done; return nil }); err != nil {
		s.stop()
		<-done
	}
	return nil
}

// pollInterval is how soon a reader sees that it must stop.
const pollInterval = 20 * time.Millisecond

// stop ends the reader: it sees the flag at its next timeout, and closes
// the socket.
func (s *sock) stop() { s.stopped.Store(true) }

func (c *Capture) read(s *sock) {
	defer unix.Close(s.fd)
	buf := make([]byte, 256<<10)
	for {
		n, _, _, from, err := unix.Recvmsg(s.fd, buf, nil, unix.MSG_TRUNC)
		if s.stopped.Load() {
			return
		}
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			c.fail(fmt.Errorf("capture in %s: %w", s.ns.Label(), err))
			return
		}
		ll, ok := from.(*unix.SockaddrLinklayer)
		if !ok {
			continue
		}
		c.keep(s, ll, buf[:min(n, len(buf))], n, time.Now())
	}
}

func (c *Capture) keep(s *sock, ll *unix.SockaddrLinklayer, data []byte, size int, at time.Time) {
	var linktype uint32
	switch ll.Hatype {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		linktype = linktypeEthernet
	case unix.ARPHRD_NONE:
		linktype = linktypeRaw
	default:
		c.mu.Lock()
		c.dropped++
		c.mu.Unlock()
		return
	}
	name, ok := s.names[ll.Ifindex]
	if !ok {
		name = fmt.Sprintf("if%d", ll.Ifindex)
		if nl, err := s.ns.Netlink(); err == nil {
			if link, err := nl.LinkByIndex(ll.Ifindex); err == nil {
				name = link.Attrs().Name
			}
		}
		s.names[ll.Ifindex] = name
	}
	kept := min(len(data), Snaplen)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bytes+kept > MaxBytes {
		c.dropped++
		return
	}
	k := ifaceKey{s.ns, ll.Ifindex}
	f := c.ifaces[k]
	if f == nil {
		f = &iface{ns: s.ns.Label(), name: name, linktype: linktype}
		c.ifaces[k] = f
	}
	c.bytes += kept
	f.packets = append(f.packets, packet{at: at, data: append([]byte(nil), data[:kept]...), size: size})
}

// Stop ends the capture and waits for its readers. It returns the errors
// met on the way (a namespace it could not capture in).
func (c *Capture) Stop() error {
	c.mu.Lock()
	c.stopped = true
	socks := c.socks
	c.mu.Unlock()
	for _, s := range socks {
		s.stop()
	}
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return errors.Join(c.errs...)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// WriteDir writes a pcap file per interface that saw packets into dir, as
// NS-IFACE.pcap ("root" for the World's root namespace), and returns their
// paths and how many packets were not kept. Call it after Stop.
func (c *Capture) WriteDir(dir string) (files []string, dropped int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, fmt.Errorf("capture: %w", err)
	}
	used := make(map[string]bool)
	list := make([]*iface, 0, len(c.ifaces))
	for _, f := range c.ifaces {
		list = append(list, f)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].ns != list[j].ns {
			return list[i].ns < list[j].ns
		}
		return list[i].name < list[j].name
	})
	for _, f := range list {
		ns := f.ns
		if ns == "(root)" {
			ns = "root"
		}
		base := unsafeName.ReplaceAllString(ns+"-"+f.name, "_")
		name := base + ".pcap"
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s-%d.pcap", base, i)
		}
		used[name] = true
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, f.pcap(), 0o644); err != nil {
			return files, c.dropped, fmt.Errorf("capture: %w", err)
		}
		files = append(files, path)
	}
	return files, c.dropped, nil
}

// pcap returns the interface's packets in the classic pcap format, with
// microsecond timestamps.
func (f *iface) pcap() []byte {
	le := binary.LittleEndian
	b := make([]byte, 24)
	le.PutUint32(b[0:], 0xa1b2c3d4)
	le.PutUint16(b[4:], 2)
	le.PutUint16(b[6:], 4)
	le.PutUint32(b[16:], Snaplen)
	le.PutUint32(b[20:], f.linktype)
	for _, p := range f.packets {
		var h [16]byte
		le.PutUint32(h[0:], uint32(p.at.Unix()))
		le.PutUint32(h[4:], uint32(p.at.Nanosecond()/1000))
		le.PutUint32(h[8:], uint32(len(p.data)))
		le.PutUint32(h[12:], uint32(p.size))
		b = append(b, h[:]...)
		b = append(b, p.data...)
	}
	return b
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
