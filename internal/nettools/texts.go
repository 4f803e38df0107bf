package nettools

// Texts net-tools 2.10 prints verbatim (route.c, lib/inet_sr.c,
// lib/inet6_sr.c, lib/af.c, lib/inet_gr.c), as Debian builds it.

// routeUsage is route.c's usage(): on stdout for -h (exit 0), on stderr for
// a bad command word (exit 3). The list of address families after it
// (afList) always goes to stderr.
const routeUsage = "Usage: route [-nNvee] [-FC] [<AF>]           List kernel routing tables\n" +
	"       route [-v] [-FC] {add|del|flush} ...  Modify routing table for AF.\n\n" +
	"       route {-h|--help} [<AF>]              Detailed usage syntax for specified AF.\n" +
	"       route {-V|--version}                  Display version/author and exit.\n\n" +
	"        -v, --verbose            be verbose\n" +
	"        -n, --numeric            don't resolve names\n" +
	"        -e, --extend             display other/more information\n" +
	"        -F, --fib                display Forwarding Information Base (default)\n" +
	"        -C, --cache              display routing cache instead of FIB\n\n" +
	"  <AF>=Use -4, -6, '-A <af>' or '--<af>'; default: inet\n" +
	"  List of possible address families (which support routing):\n"

// afList is print_aflist(1): the families with a routing table, three a line.
const afList = "    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) \n" +
	"    netrom (AMPR NET/ROM) rose (AMPR ROSE) ipx (Novell IPX) \n" +
	"    ddp (Appletalk DDP) x25 (CCITT X.25) \n"

// inetRouteUsage is lib/inet_sr.c's usage().
const inetRouteUsage = "Usage: inet_route [-vF] del {-host|-net} Target[/prefix] [gw Gw] [metric M] [[dev] If]\n" +
	"       inet_route [-vF] add {-host|-net} Target[/prefix] [gw Gw] [metric M]\n" +
	"                              [netmask N] [mss Mss] [window W] [irtt I]\n" +
	"                              [mod] [dyn] [reinstate] [[dev] If]\n" +
	"       inet_route [-vF] add {-host|-net} Target[/prefix] [metric M] reject\n" +
	"       inet_route [-FC] flush      NOT supported\n"

// inet6RouteUsage is lib/inet6_sr.c's usage().
const inet6RouteUsage = "Usage: inet6_route [-vF] del Target\n" +
	"       inet6_route [-vF] add Target [gw Gw] [metric M] [[dev] If]\n" +
	"       inet6_route [-FC] flush      NOT supported\n"

// versionText is what "route -V" prints: the release and Debian's build
// features.
const versionText = "net-tools 2.10\n" +
	"+NEW_ADDRT +RTF_IRTT +RTF_REJECT +I18N +SELINUX\n" +
	"AF: (inet) +UNIX +INET +INET6 +IPX +AX25 +NETROM +X25 +ATALK +ECONET +ROSE -BLUETOOTH\n" +
	"HW:  +ETHER +ARC +SLIP +PPP +TUNNEL -TR +AX25 +NETROM +X25 +FR +ROSE +ASH +SIT +FDDI +HIPPI +HDLC/LAPB +EUI64 \n"

// Headers of rprint_fib and rprint_cache (lib/inet_gr.c), by -e level.
const (
	fibTitle   = "Kernel IP routing table\n"
	cacheTitle = "Kernel IP routing cache\n"
)

var fibHeader = [4]string{
	1: "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n",
	2: "Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n",
	3: "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt\n",
}

// cacheHeader is for the kernel's /proc/net/rt_cache layout since Linux 2.2;
// since 3.6 that file holds the header line only, so route -C lists nothing.
var cacheHeader = [4]string{
	1: "Source          Destination     Gateway         Flags Metric Ref    Use Iface\n",
	2: "Source          Destination     Gateway         Flags   MSS Window  irtt Iface\n",
	3: "Source          Destination     Gateway         Flags Metric Ref    Use Iface    MSS   Window irtt  TOS HHRef HHUptod     SpecDst\n",
}
