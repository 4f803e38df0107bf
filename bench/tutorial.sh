#!/bin/bash
# The shell twin of scenarios/veth-pair.txtar: the same commands, with the
# same ping flags, and the same checks of their output (grep for stdout
# lines, cmp for the routing tables).
#
# Run it in a sandbox: unshare --mount --net, with a tmpfs on /run.
set -eu
# ("CMD && exit 1" expects CMD to fail: set -e ignores "! CMD".)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
out=$d/out

ip netns add ns0
ip netns add ns1
ip -n ns0 tuntap add dev tap0 mode tap
ip -n ns1 tuntap add dev tap1 mode tap
ip -n ns0 addr add 10.0.0.1/24 dev tap0
ip -n ns1 addr add 10.0.0.2/24 dev tap1
ip -n ns0 link set tap0 up
ip -n ns1 link set tap1 up

ip link add veth0 type veth peer name veth2
ip link set veth0 netns ns0
ip link set veth2 netns ns1
ip netns exec ns0 ip link set veth0 up
ip netns exec ns1 ip link set veth2 up

ip netns exec ns0 ping -c 1 -W 1 10.0.0.2 >"$out" && exit 1
grep -Eq '^1 packets transmitted, 0 received, 100% packet loss, time [0-9]+ms$' "$out"
grep -q 'bytes from' "$out" && exit 1
ip netns exec ns1 ping -c 1 -W 1 10.0.0.1 >"$out" && exit 1
grep -Eq '^1 packets transmitted, 0 received, 100% packet loss, time [0-9]+ms$' "$out"

table() {
	printf '%s\n' 'Kernel IP routing table' \
		'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface' \
		"10.0.0.0        0.0.0.0         255.255.255.0   U     0      0        0 $1"
}
ip netns exec ns0 route -n >"$out"
cmp -s "$out" <(table tap0)
ip netns exec ns1 route -n >"$out"
cmp -s "$out" <(table tap1)

ip netns exec ns0 ip route change 10.0.0.0/24 via 0.0.0.0 dev veth0
ip netns exec ns1 ip route change 10.0.0.0/24 via 0.0.0.0 dev veth2
ip netns exec ns0 route -n >"$out"
cmp -s "$out" <(table veth0)
ip netns exec ns1 route -n >"$out"
cmp -s "$out" <(table veth2)

ip netns exec ns0 ping -c 4 -i 0.01 10.0.0.2 >"$out"
grep -Eq '^PING 10.0.0.2 \(10.0.0.2\) 56\(84\) bytes of data.$' "$out"
grep -Eq '^64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=[0-9.]+ ms$' "$out"
grep -Eq '^64 bytes from 10.0.0.2: icmp_seq=4 ttl=64 time=[0-9.]+ ms$' "$out"
grep -Eq '^4 packets transmitted, 4 received, 0% packet loss, time [0-9]+ms$' "$out"
grep -Eq '^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$' "$out"
ip netns exec ns1 ping -c 4 -i 0.01 10.0.0.1 >"$out"
grep -Eq '^64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=[0-9.]+ ms$' "$out"
grep -Eq '^4 packets transmitted, 4 received, 0% packet loss, time [0-9]+ms$' "$out"
