#!/usr/bin/perl
# tests/bench/procs.pl [OPTIONS] -- CMD ARGS... — start CMD once, or once per
# line of --each FILE (every "{}" in CMD ARGS replaced by that line), all at
# the same moment; wait for every one (at most --timeout seconds, then kill
# them and fail); meanwhile sample the memory of the processes named by
# --watch LABEL=PID and, with --watch-cmd, of the started ones.
#
#   --each FILE       one process per line of FILE
#   --out DIR         process i's stdout goes to DIR/i.out, its stderr to DIR/i.err
#                     (default: stdout to /dev/null, stderr inherited)
#   --watch LABEL=PID sample /proc/PID/status (RssAnon, VmHWM)
#   --watch-cmd       also sample the started processes (label "cmd": the peak of any)
#   --interval MS     sampling period (default 10)
#   --timeout S       bound on the whole wait (default 600)
#
# Prints, one per line:
#   wall SECONDS                   from the first fork to the last exit
#   procs N failed N               how many exited non-zero (or by a signal)
#   each MEDIAN_S MAX_S            per-process wall times
#   peak LABEL RSSANON_KB HWM_KB SAMPLES   for each watched label
# Exits 1 if any process failed or the timeout struck.
use strict; use warnings;
use Time::HiRes qw(time sleep);
use POSIX qw(WNOHANG);

my (@watch, $each, $out, $watch_cmd);
my ($interval, $timeout) = (10, 600);
while (@ARGV && $ARGV[0] ne '--') {
	my $o = shift;
	if    ($o eq '--each')      { $each = shift }
	elsif ($o eq '--out')       { $out = shift }
	elsif ($o eq '--watch')     { my ($l, $p) = split /=/, shift, 2; push @watch, [$l, $p] }
	elsif ($o eq '--watch-cmd') { $watch_cmd = 1 }
	elsif ($o eq '--interval')  { $interval = shift }
	elsif ($o eq '--timeout')   { $timeout = shift }
	else  { die "procs.pl: unknown option $o\n" }
}
shift;                                  # --
die "usage: procs.pl [OPTIONS] -- CMD ARGS...\n" unless @ARGV;

my @subst = ('');
if (defined $each) {
	open my $fh, '<', $each or die "procs.pl: $each: $!\n";
	@subst = grep { length } map { chomp; $_ } <$fh>;
}

# Peak RssAnon and VmHWM (kB) per label.
my %peak;
sub sample {
	my ($label, $pid) = @_;
	open my $fh, '<', "/proc/$pid/status" or return;
	my ($anon, $hwm);
	while (<$fh>) {
		$anon = $1 if /^RssAnon:\s+(\d+)/;
		$hwm  = $1 if /^VmHWM:\s+(\d+)/;
	}
	return unless defined $anon;        # a zombie has no memory lines
	my $p = $peak{$label} //= [0, 0, 0];
	$p->[0] = $anon if $anon > $p->[0];
	$p->[1] = $hwm  if defined $hwm && $hwm > $p->[1];
	$p->[2]++;
}

my (%start, %took);
my $t0 = time;
for my $i (0 .. $#subst) {
	my @cmd = map { (my $a = $_) =~ s/\{\}/$subst[$i]/g; $a } @ARGV;
	my $pid = fork // die "procs.pl: fork: $!\n";
	if (!$pid) {
		if (defined $out) {
			open STDOUT, '>', "$out/$i.out" or die;
			open STDERR, '>', "$out/$i.err" or die;
		} else {
			open STDOUT, '>', '/dev/null' or die;
		}
		exec @cmd or exit 127;
	}
	$start{$pid} = time;
}

my $failed = 0;
my $deadline = $t0 + $timeout;
my $sampling = @watch || $watch_cmd;
$SIG{CHLD} = sub {};                    # a child's exit cuts the sampling sleep short
while (%start) {
	if ($sampling) {
		for my $w (@watch) { sample(@$w) }
		if ($watch_cmd) { sample('cmd', $_) for keys %start }
		while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
			my $now = time;
			next unless exists $start{$pid};
			$took{$pid} = $now - delete $start{$pid};
			$failed++ if $?;
		}
	} else {                        # block: the exit is timed exactly
		my $left = int($deadline - time) + 1;
		my ($pid, $st) = eval {
			local $SIG{ALRM} = sub { die "alarm\n" };
			alarm($left);
			my $p = waitpid(-1, 0);
			alarm(0);
			($p, $?);
		};
		my $now = time;
		if (defined $pid && $pid > 0 && exists $start{$pid}) {
			$took{$pid} = $now - delete $start{$pid};
			$failed++ if $st;
		}
	}
	last unless %start;
	if (time > $deadline) {
		warn "procs.pl: timeout after $timeout s: killing " . scalar(keys %start) . " process(es)\n";
		kill 'KILL', keys %start;
		waitpid($_, 0) for keys %start;
		$failed += keys %start;
		%start = ();
		last;
	}
	sleep($interval / 1000) if $sampling;
}
my $wall = time - $t0;

my @t = sort { $a <=> $b } values %took;
printf "wall %.4f\n", $wall;
printf "procs %d failed %d\n", scalar(@subst), $failed;
printf "each %.4f %.4f\n", @t ? ($t[int(@t / 2)], $t[-1]) : (0, 0);
for my $l ((map { $_->[0] } @watch), $watch_cmd ? ('cmd') : ()) {
	my $p = $peak{$l} // [0, 0, 0];
	printf "peak %s %d %d %d\n", $l, @$p;
}
exit($failed ? 1 : 0);
