#!/usr/bin/perl
# tests/bench/gen_team.pl ACCOUNTS PER [REPS] — a team's history as a JSONL
# import file (`rapport export --format jsonl` shape), deterministic: ACCOUNTS
# accounts with about PER interactions each over the five years before
# 2026-12-01, each with its own purchase rhythm (some stopped buying a while
# ago), calls and visits between, complaints (a few still open), follow-ups
# due around 2026-12-01, owners rep0..rep(REPS-1), tags t0..t9, a cadence on
# one account in fifty, and German, French and Greek names. The benchmarks
# (tests/bench/query.sh) and the index property test read it.
use strict; use warnings;
my ($na, $per, $reps) = @ARGV;
die "usage: gen_team.pl ACCOUNTS PER [REPS]\n" unless $na && $per;
$reps //= 0;
my $seed = 12345;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed / 2147483648; }
my $now = 1796083200;            # 2026-12-01T00:00:00Z
my $span = 5 * 365 * 86400;
my @first = qw(Müller Bäckerei Café Société Ελληνικά Hans Anna Peter Olé Straße Øster Łódź Acme Nord Süd);
my @types = qw(call visit email meeting note);
sub iso { my @t = gmtime($_[0]); sprintf('%04d-%02d-%02dT%02d:%02d:00Z', $t[5] + 1900, $t[4] + 1, $t[3], $t[2], $t[1]) }
sub js { my $s = shift; $s =~ s/(["\\])/\\$1/g; "\"$s\"" }
for my $a (1 .. $na) {
	my $rhythm = 14 + int(rnd() * 120);               # days between purchases
	my $stop = rnd() < 0.2 ? $now - int(rnd() * 400) * 86400 : $now;   # one in five stopped buying
	my @ix;
	my $n = int($per / 2 + rnd() * $per);
	my $gap = $rhythm * 86400;
	$gap = int($span / $n) if $gap * $n > $span;
	my $t = $now - $n * $gap + int(rnd() * $gap);
	my $i = 0;
	while ($i < $n && $t < $now) {
		my ($type, $amount) = ($types[int(rnd() * @types)], 'null');
		if ($t < $stop && rnd() < 0.5) {
			$type = 'purchase';
			$amount = sprintf('{"cents":%d,"currency":"%s"}', 1000 + int(rnd() * 500000), $a % 17 ? 'EUR' : 'USD');
		} elsif (rnd() < 0.01) {
			$type = 'complaint';
		}
		my $resolved = $type eq 'complaint' && rnd() < 0.95 ? ',"resolved":true,"resolution":"replaced"' : '';
		push @ix, sprintf('{"type":"%s","at":"%s","text":%s,"amount":%s%s}', $type, iso($t),
			js("$type $i with account $a about order " . int(rnd() * 100000)), $amount, $resolved);
		$t += int($gap * (0.5 + rnd()));
		$i++;
	}
	my @fu;
	if (rnd() < 0.03) {
		push @fu, sprintf('{"text":%s,"due":"%s"}', js("follow up on order for account $a"),
			iso($now + int((rnd() * 33 - 3) * 86400)));
	}
	my $name = sprintf('%s %s %05d', $first[$a % @first], $first[int($a / 7) % @first], $a);
	my $fields = sprintf('"email":"buyer%d@example.com","phone":"+49 30 %07d","city":"%s"', $a, $a,
		(qw(Berlin Köln Paris Αθήνα Lyon))[$a % 5]);
	$fields .= ',"cadence":"26w"' if $a % 50 == 0;
	$fields .= ',"consent":"no"' if $a % 23 == 0;
	my $owner = $reps ? sprintf(',"owner":"rep%d"', $a % $reps) : '';
	printf '{"name":%s%s,"fields":{%s},"tags":["t%d"%s],"interactions":[%s],"followups":[%s]}' . "\n",
		js($name), $owner, $fields, $a % 10, $a % 3 ? '' : ',"key"', join(',', @ix), join(',', @fu);
}
