/* SPDX-License-Identifier: MIT */
/*
 * mkfwimage: wraps the firmware ELF shared object into an Ares firmware
 * image (include/ares/fw_image.h): header, payload, and the Ed25519
 * signature of both by --sign-key (mkfwkey's format; without it the
 * signature is zero and no device boots the image). It can also write two
 * deliberately bad images for negative tests, signed like the good one so
 * each reaches the check it is for: one whose payload CRC is wrong, one
 * whose header and CRC are valid but whose payload is not a loadable ELF.
 */
#include <elf.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include <ares/cp.h>
#include <ares/fw_image.h>

struct mkfw_opts {
	const char *in;
	const char *out;
	const char *corrupt_crc_out;
	const char *bad_payload_out;
	const char *entry_symbol;
	const char *sign_key;
	unsigned maj, min, pat;
	uint32_t features;
	uint8_t sk[crypto_sign_SECRETKEYBYTES]; /* valid when sign_key is set */
};

static int read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;
	int ret = -1;

	*data = NULL;
	if (!f) {
		fprintf(stderr, "mkfwimage: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "mkfwimage: %s: empty or unreadable\n", path);
		goto out;
	}
	*data = malloc((size_t)n);
	if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "mkfwimage: %s: read failed\n", path);
		goto out;
	}
	*len = (size_t)n;
	ret = 0;
out:
	if (ret) {
		free(*data);
		*data = NULL;
	}
	fclose(f);
	return ret;
}

/* Value of @name in the object's .symtab (or .dynsym): its offset from the load base. */
static int elf_symbol(const uint8_t *elf, size_t len, const char *name, uint64_t *value)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	const Elf64_Shdr *sh, *strsh;
	const Elf64_Sym *sym;
	size_t i, j, nsyms;
	int pass;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_DYN ||
	    eh->e_machine != EM_X86_64 || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shoff > len || (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > len - eh->e_shoff)
		return -1;
	sh = (const Elf64_Shdr *)(elf + eh->e_shoff);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < eh->e_shnum; i++) {
			if (sh[i].sh_type != (pass ? SHT_DYNSYM : SHT_SYMTAB) ||
			    sh[i].sh_link >= eh->e_shnum || sh[i].sh_offset > len ||
			    sh[i].sh_size > len - sh[i].sh_offset)
				continue;
			strsh = &sh[sh[i].sh_link];
			if (strsh->sh_offset > len || strsh->sh_size > len - strsh->sh_offset)
				continue;
			sym = (const Elf64_Sym *)(elf + sh[i].sh_offset);
			nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
			for (j = 0; j < nsyms; j++) {
				const char *s =
					(const char *)elf + strsh->sh_offset + sym[j].st_name;

				if (sym[j].st_name >= strsh->sh_size ||
				    ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC ||
				    sym[j].st_shndx == SHN_UNDEF)
					continue;
				if (!strncmp(s, name, strsh->sh_size - sym[j].st_name) &&
				    strlen(name) < strsh->sh_size - sym[j].st_name) {
					*value = sym[j].st_value;
					return 0;
				}
			}
		}
	}
	return -1;
}

static void fill_header(struct ares_fw_header *h, const struct mkfw_opts *o, const uint8_t *payload,
			size_t len, uint64_t entry)
{
	memset(h, 0, sizeof(*h));
	h->magic = ARES_FW_MAGIC;
	h->header_version = ARES_FW_HEADER_VERSION;
	h->header_size = ARES_FW_HEADER_SIZE;
	h->fw_version = ARES_VERSION(o->maj, o->min, o->pat);
	h->payload_size = len;
	h->entry = entry;
	h->payload_crc32 = (uint32_t)crc32(0L, payload, (uInt)len);
	h->fw_features = o->features;
	h->fw_format = ARES_FW_FORMAT_CP_ELF64;
	h->min_hw_version = ARES_HW_VERSION_V1;
	h->sig_format = ARES_FW_SIG_ED25519;
}

static void seal_header(struct ares_fw_header *h)
{
	h->header_crc32 = 0;
	h->header_crc32 = (uint32_t)crc32(0L, (const Bytef *)h, sizeof(*h));
}

/* The trailer signs the header and payload exactly as the image holds them. */
static int sign_image(const struct mkfw_opts *o, const struct ares_fw_header *h,
		      const uint8_t *payload, size_t len, struct ares_fw_signature *sig)
{
	uint8_t *msg;

	memset(sig, 0, sizeof(*sig));
	if (!o->sign_key)
		return 0;
	msg = malloc(sizeof(*h) + len);
	if (!msg)
		return -1;
	memcpy(msg, h, sizeof(*h));
	memcpy(msg + sizeof(*h), payload, len);
	crypto_sign_detached(sig->ed25519, NULL, msg, sizeof(*h) + len, o->sk);
	free(msg);
	return 0;
}

static int write_image(const struct mkfw_opts *o, const char *path, const struct ares_fw_header *h,
		       const uint8_t *payload, size_t len)
{
	struct ares_fw_signature sig;
	FILE *f;
	int ok;

	if (sign_image(o, h, payload, len, &sig)) {
		fprintf(stderr, "mkfwimage: %s: out of memory signing\n", path);
		return -1;
	}
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "mkfwimage: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fwrite(h, sizeof(*h), 1, f) == 1 && fwrite(payload, 1, len, f) == len &&
	     fwrite(&sig, sizeof(sig), 1, f) == 1;
	if (fclose(f) || !ok) {
		fprintf(stderr, "mkfwimage: %s: write failed\n", path);
		return -1;
	}
	return 0;
}

/* The key file is the 32-byte Ed25519 seed that mkfwkey writes. */
static int load_sign_key(struct mkfw_opts *o)
{
	uint8_t seed[crypto_sign_SEEDBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	FILE *f = fopen(o->sign_key, "rb");
	size_t n;
	int ok;

	if (!f) {
		fprintf(stderr, "mkfwimage: signing key %s: %s\n", o->sign_key, strerror(errno));
		return -1;
	}
	n = fread(seed, 1, sizeof(seed), f);
	ok = n == sizeof(seed) && fgetc(f) == EOF;
	fclose(f);
	if (!ok || sodium_init() < 0 || crypto_sign_seed_keypair(pk, o->sk, seed)) {
		fprintf(stderr, "mkfwimage: signing key %s: expected a %zu-byte Ed25519 seed\n",
			o->sign_key, sizeof(seed));
		sodium_memzero(seed, sizeof(seed));
		return -1;
	}
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mkfwimage --version MAJ.MIN.PAT [--features N] [--entry-symbol NAME]\n"
		   "                 [--sign-key KEY] --out IMAGE [--corrupt-crc-out IMAGE]\n"
		   "                 [--bad-payload-out IMAGE] FIRMWARE.so\n");
}

static int parse(int argc, char **argv, struct mkfw_opts *o)
{
	static const struct option opts[] = {
		{"version", required_argument, NULL, 'V'},
		{"features", required_argument, NULL, 'f'},
		{"entry-symbol", required_argument, NULL, 'e'},
		{"out", required_argument, NULL, 'o'},
		{"corrupt-crc-out", required_argument, NULL, 'c'},
		{"bad-payload-out", required_argument, NULL, 'b'},
		{"sign-key", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	int c, have_version = 0;

	o->entry_symbol = ARES_CP_ENTRY_SYMBOL;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'V':
			if (sscanf(optarg, "%u.%u.%u", &o->maj, &o->min, &o->pat) != 3 ||
			    o->maj > 0xffff || o->min > 0xff || o->pat > 0xff) {
				fprintf(stderr, "mkfwimage: bad --version '%s'\n", optarg);
				return -1;
			}
			have_version = 1;
			break;
		case 'f':
			o->features = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'e':
			o->entry_symbol = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'c':
			o->corrupt_crc_out = optarg;
			break;
		case 'b':
			o->bad_payload_out = optarg;
			break;
		case 'k':
			o->sign_key = optarg;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!have_version || !o->out || optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	o->in = argv[optind];
	return 0;
}

int main(int argc, char **argv)
{
	struct mkfw_opts o = {0};
	struct ares_fw_header h;
	uint8_t *payload = NULL, *bad = NULL;
	uint64_t entry;
	size_t len;
	int ret = 1;

	if (parse(argc, argv, &o) || read_file(o.in, &payload, &len))
		return 1;
	if (o.sign_key && load_sign_key(&o))
		goto out;
	if (len > ARES_FW_PAYLOAD_MAX) {
		fprintf(stderr, "mkfwimage: %s: %zu bytes, more than the %u-byte payload limit\n",
			o.in, len, ARES_FW_PAYLOAD_MAX);
		goto out;
	}
	if (elf_symbol(payload, len, o.entry_symbol, &entry) || entry >= len) {
		fprintf(stderr, "mkfwimage: %s: no usable x86-64 ET_DYN function symbol '%s'\n",
			o.in, o.entry_symbol);
		goto out;
	}
	fill_header(&h, &o, payload, len, entry);
	seal_header(&h);
	if (write_image(&o, o.out, &h, payload, len))
		goto out;
	if (o.corrupt_crc_out) {
		struct ares_fw_header c = h;

		c.payload_crc32 ^= 0x5a5a5a5a;
		seal_header(&c);
		if (write_image(&o, o.corrupt_crc_out, &c, payload, len))
			goto out;
	}
	if (o.bad_payload_out) {
		/* Same size (so entry stays in range) but no ELF magic: only the loader can tell.
		 */
		bad = malloc(len);
		if (!bad)
			goto out;
		memcpy(bad, payload, len);
		memcpy(bad, "NELF", 4);
		fill_header(&h, &o, bad, len, entry);
		seal_header(&h);
		if (write_image(&o, o.bad_payload_out, &h, bad, len))
			goto out;
	}
	ret = 0;
out:
	sodium_memzero(o.sk, sizeof(o.sk));
	free(bad);
	free(payload);
	return ret;
}
