/* tests/unit/test_fold.c — case folding for names keeps lengths and folds
 * the capitals of the European scripts reps meet. */
#include <string.h>

#include "tap.h"
#include "../node/text/casefold.h"

static const char *fold(const char *s)
{
	static char buf[256];
	size_t n = strlen(s);
	rp_fold(buf, s, n + 1);
	return buf;
}

static const char *loose(const char *s)
{
	static char buf[2][256];
	static int k;
	k = !k;
	rp_fold_loose(buf[k], s, strlen(s));
	return buf[k];
}

int main(void)
{
	char buf[8] = "\xc3";
	is_str(fold("Bakery BLUM"), "bakery blum", "ASCII");
	is_str(fold("BÄCKEREI MÜLLER"), "bäckerei müller", "German umlauts");
	is_str(fold("ÉCOLE ÇA"), "école ça", "French accents");
	is_str(fold("ŁÓDŹ ŻÓŁW ŚWIĘTO"), "łódź żółw święto", "Polish (Latin Extended-A)");
	is_str(fold("ŠKODA ČEŠTINA Ř"), "škoda čeština ř", "Czech");
	is_str(fold("ΑΘΗΝΑ"), "αθηνα", "Greek");
	is_str(fold("МОСКВА ЁЖ"), "москва ёж", "Cyrillic");
	is_str(fold("Straße ×"), "straße ×", "ß and × pass unchanged");
	is_str(fold("日本 ABC"), "日本 abc", "other scripts pass unchanged");
	rp_fold(buf, buf, 1);
	ok((unsigned char)buf[0] == 0xc3, "a cut UTF-8 sequence is left alone");
	is_int(strlen(fold("ÀÉÎÕÜŸ")), strlen("ÀÉÎÕÜŸ"), "folding keeps the byte length");
	is_str(fold("ÀÉÎÕÜŸ"), "àéîõüÿ", "Latin-1 capitals and Ÿ");
	/* the loose fold of search: case and accents away, German spellings meet */
	is_str(loose("Bäckerei Müller"), "backerei muller", "umlauts lose their marks");
	is_str(loose("BAECKEREI MUELLER"), "backerei muller", "ae, ue: the German spellings of ä, ü");
	is_str(loose("muller"), loose("Müller"), "muller meets Müller");
	is_str(loose("cafe"), loose("Café"), "cafe meets Café");
	is_str(loose("Jürgen Weiß"), "jurgen weiss", "ß is ss");
	is_str(loose("ŁÓDŹ Œuvre Æsir"), "lodz ouvre asir", "Polish, ligatures");
	is_str(loose("ΑΘΗΝΑ 日本 ×"), "αθηνα 日本 ×", "other letters only lose their case");
	is_str(loose("ΆΘΉΝΑ Αθήνα ΑΘΗΝΑ"), "αθηνα αθηνα αθηνα", "Greek: tonos and case away");
	is_str(loose("Ελλάς ΕΛΛΑΣ"), "ελλασ ελλασ", "Greek: final sigma is sigma");
	is_str(loose("Ϊ ΐ ϋ ΰ Ώ"), "ι ι υ υ ω", "Greek: dialytika away");
	is_str(loose("Ёлка ЁЛКА ёлка елка"), "елка елка елка елка", "Cyrillic: ё is е, case away");
	is_str(loose("МОСКВА Йошкар"), "москва йошкар", "Cyrillic: й is its own letter");
	is_str(fold("ΆΈΉΊΌΎΏ"), "άέήίόύώ", "exact fold: Greek capitals with tonos");
	is_int(strlen(fold("ΆΈΉΊΌΎΏ")), strlen("ΆΈΉΊΌΎΏ"), "... keeping the byte length");
	is_int(rp_fold_loose(buf, "\xc3", 1), 1, "a cut UTF-8 sequence is kept, and counted");
	ok((unsigned char)buf[0] == 0xc3 && buf[1] == 0, "… as it was, NUL-terminated");
	{
		char big[400];
		const char *all = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßĀāĲĳŒœſ";
		ok(rp_fold_loose(big, all, strlen(all)) <= strlen(all), "never longer than its source");
	}
	return done_testing();
}
