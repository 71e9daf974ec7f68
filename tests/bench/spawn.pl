#!/usr/bin/perl
# tests/bench/spawn.pl N CMD... — run CMD N times, one process each, and print
# the median and 90th percentile wall time in ms.
use strict; use warnings;
use Time::HiRes qw(time);
my $n = shift;
my @t;
for (1..$n) {
	my $t0 = time;
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		open STDOUT, '>', '/dev/null'; open STDERR, '>', '/dev/null';
		exec @ARGV or exit 127;
	}
	waitpid $pid, 0;
	die "command failed: @ARGV\n" if $?;
	push @t, (time - $t0) * 1000;
}
@t = sort { $a <=> $b } @t;
printf "%.2f %.2f\n", $t[int($n / 2)], $t[int($n * 0.9)];
