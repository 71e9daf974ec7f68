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
	return done_testing();
}
