/*
 * floor_parse_hash FEED.csv: the physical floor of a re-import where nothing changed. Parses the feed with
 * libcsv and hashes every row's fields (FNV-1a 64, util.h's hash64), and does nothing else.
 */
#include <stdint.h>

#include "floor.h"

struct hashing {
	long rows;
	uint64_t digest; /* keeps the hashing observable */
};

static void hash_record(const struct floor_record *r, void *ud)
{
	struct hashing *h = ud;
	uint64_t hash = HASH64_SEED;
	for (size_t i = 0; i < r->n; i++) {
		hash = hash64(floor_field(r, i), r->len[i], hash);
		hash = hash64("", 1, hash); /* "ab","c" must not hash like "a","bc" */
	}
	h->digest ^= hash;
	h->rows++;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: floor_parse_hash FEED.csv\n");
		return 2;
	}
	struct hashing h = {0};
	double start = floor_seconds();
	long records = floor_read_csv(argv[1], hash_record, &h);
	double seconds = floor_seconds() - start;
	if (records < 1)
		return 1;
	floor_report(records - 1, seconds);
	fprintf(stderr, "digest %016llx\n", (unsigned long long)h.digest);
	return 0;
}
