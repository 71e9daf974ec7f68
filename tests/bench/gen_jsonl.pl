#!/usr/bin/perl
# tests/bench/gen_jsonl.pl ACCOUNTS PER — a JSONL import file shaped like
# `rapport export --format jsonl`: ACCOUNTS accounts with PER interactions each.
use strict; use warnings;
my ($na, $per) = @ARGV;
my @types = qw(call visit email meeting purchase note);
for my $a (1..$na) {
	my @ix;
	for my $i (1..$per) {
		my $type = $types[($a + $i) % @types];
		my $day = 1 + ($i % 28);
		my $amt = $type eq 'purchase' ? sprintf('{"cents":%d,"currency":"EUR"}', 1000 + $i * 37) : 'null';
		push @ix, sprintf('{"type":"%s","at":"2026-%02d-%02dT10:00:00Z","text":"interaction %d with account %d","amount":%s}',
			$type, 1 + ($i % 12), $day, $i, $a, $amt);
	}
	printf '{"name":"Account %05d","fields":{"email":"buyer%d@example.com","phone":"+49 30 %07d"},"tags":["t%d"],"interactions":[%s],"followups":[]}' . "\n",
		$a, $a, $a, $a % 10, join(',', @ix);
}
