package sysctl

// usageText is procps-ng 4.0.2's Usage(): on stdout for -h (exit 0), on
// stderr when sysctl has no arguments (exit 1).
const usageText = "\nUsage:\n" +
	" sysctl [options] [variable[=value] ...]\n" +
	"\nOptions:\n" +
	"  -a, --all            display all variables\n" +
	"  -A                   alias of -a\n" +
	"  -X                   alias of -a\n" +
	"      --deprecated     include deprecated parameters to listing\n" +
	"      --dry-run        Print the key and values but do not write\n" +
	"  -b, --binary         print value without new line\n" +
	"  -e, --ignore         ignore unknown variables errors\n" +
	"  -N, --names          print variable names without values\n" +
	"  -n, --values         print only values of the given variable(s)\n" +
	"  -p, --load[=<file>]  read values from file\n" +
	"  -f                   alias of -p\n" +
	"      --system         read values from all system directories\n" +
	"  -r, --pattern <expression>\n" +
	"                       select setting that match expression\n" +
	"  -q, --quiet          do not echo variable set\n" +
	"  -w, --write          enable writing a value to variable\n" +
	"  -o                   does nothing\n" +
	"  -x                   does nothing\n" +
	"  -d                   alias of -h\n" +
	"\n" +
	" -h, --help     display this help and exit\n" +
	" -V, --version  output version information and exit\n" +
	"\nFor more details see sysctl(8).\n"

const versionText = "sysctl from procps-ng 4.0.2\n"

const tryHelp = "\nTry `sysctl --help' for more information."
