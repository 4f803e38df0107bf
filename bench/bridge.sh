#!/bin/bash
# The shell twin of the bridge benchmarks: N namespaces on one bridge, br0
# in namespace br, each nsI with a veth pair whose other end pI is a port
# of br0 and 10.0.0.I/24 on its end vI; then ns1 checks every other
# namespace with ping, one after another.
#
#   bridge.sh N all     set up with one ip process per command, then check
#   bridge.sh N setup   set up only
#   bridge.sh N batch   set up only, with ip -batch: the floor for set-up
#
# Run it in a sandbox: unshare --mount --net, with a tmpfs on /run.
set -eu
n=$1 mode=$2

if [ "$mode" = batch ]; then
	f=$(mktemp)
	trap 'rm -f "$f" "$f".*' EXIT
	{
		echo "netns add br"
		for ((i = 1; i <= n; i++)); do echo "netns add ns$i"; done
		echo "link add br0 netns br type bridge"
		for ((i = 1; i <= n; i++)); do
			echo "link add p$i netns br type veth peer name v$i netns ns$i"
		done
	} >"$f"
	ip -batch "$f"
	{
		echo "link set br0 up"
		for ((i = 1; i <= n; i++)); do echo "link set p$i master br0"; echo "link set p$i up"; done
	} >"$f.br"
	ip -n br -batch "$f.br"
	for ((i = 1; i <= n; i++)); do
		printf 'addr add 10.0.0.%d/24 dev v%d\nlink set v%d up\n' $i $i $i >"$f.$i"
		ip -n ns$i -batch "$f.$i"
	done
	exit 0
fi

ip netns add br
for ((i = 1; i <= n; i++)); do ip netns add ns$i; done
ip -n br link add br0 type bridge
ip -n br link set br0 up
for ((i = 1; i <= n; i++)); do
	ip -n br link add p$i type veth peer name v$i netns ns$i
	ip -n br link set p$i master br0
	ip -n br link set p$i up
done
for ((i = 1; i <= n; i++)); do
	ip -n ns$i addr add 10.0.0.$i/24 dev v$i
	ip -n ns$i link set v$i up
done
[ "$mode" = setup ] && exit 0

# From ns1 to every other: the kernel's ARP table is shared by all
# namespaces (gc_thresh3 = 1024), too small for all pairs of 64.
for ((j = 2; j <= n; j++)); do
	ip netns exec ns1 ping -q -c 1 -i 0.01 -w 2 10.0.0.$j >/dev/null
done
