/* SPDX-License-Identifier: MIT */
/*
 * ARES_VISIBLE_DEVICES: the devices a process may use, in the order it
 * numbers them. Containers and schedulers hand a process a subset of the
 * machine; the process then counts its devices from 0 whatever their node
 * names are. Syntax (docs/containers.md): a comma-separated list of node
 * indices N (accelN) and PCI addresses ([DDDD:]BB:DD.F); "all"; or "" for
 * none.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define VISIBLE_ENV "ARES_VISIBLE_DEVICES"
#define DEV_DIR	    "/dev/accel"
#define SYS_DIR	    "/sys/class/accel"

__attribute__((format(printf, 4, 5))) static int visible_error(char *errbuf, size_t errlen, int err,
							       const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errbuf || !errlen)
		return err;
	n = snprintf(errbuf, errlen, VISIBLE_ENV ": ");
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return err;
}

struct pci_addr {
	unsigned int dom, bus, dev, fn;
};

/* Reads 1 to @digits hex digits at *@p into *@v and advances *@p. */
static int hex_field(const char **p, int digits, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < digits && isxdigit((unsigned char)**p); i++, (*p)++)
		*v = *v * 16 + (unsigned int)(isdigit((unsigned char)**p)
						      ? **p - '0'
						      : tolower((unsigned char)**p) - 'a' + 10);
	return i ? 0 : -EINVAL;
}

/* Parses exactly "DDDD:BB:DD.F" or "BB:DD.F" (domain 0), hex, any case. */
static int parse_pci(const char *s, struct pci_addr *a)
{
	const char *p = s;
	int colons = 0;

	for (const char *c = s; *c; c++)
		colons += *c == ':';
	a->dom = 0;
	if (colons == 2 && (hex_field(&p, 4, &a->dom) || *p++ != ':'))
		return -EINVAL;
	if (colons < 1 || colons > 2 || hex_field(&p, 2, &a->bus) || *p++ != ':' ||
	    hex_field(&p, 2, &a->dev) || *p++ != '.' || hex_field(&p, 1, &a->fn) || *p)
		return -EINVAL;
	if (a->dev > 0x1f || a->fn > 7)
		return -ERANGE;
	return 0;
}

static int parse_index(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > 0xffffffffUL)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* Copies @tok without surrounding blanks into @out. */
static void trim(const char *tok, size_t len, char *out, size_t outlen)
{
	while (len && isspace((unsigned char)*tok)) {
		tok++;
		len--;
	}
	while (len && isspace((unsigned char)tok[len - 1]))
		len--;
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, tok, len);
	out[len] = '\0';
}

/* Finds the entry @tok names among @all; sets *@pick or returns an error. */
static int resolve(const char *tok, unsigned int pos, const struct accel_device_entry *all,
		   size_t n, size_t *pick, char *errbuf, size_t errlen)
{
	struct pci_addr want, have;
	unsigned int index;
	size_t i;
	int ret;

	if (!*tok)
		return visible_error(errbuf, errlen, -EINVAL, "entry %u is empty", pos);
	if (!parse_index(tok, &index)) {
		for (i = 0; i < n; i++)
			if (all[i].index == index) {
				*pick = i;
				return 0;
			}
		return visible_error(errbuf, errlen, -ENODEV,
				     "entry %u \"%s\": no Ares device accel%u (%zu found)", pos,
				     tok, index, n);
	}
	ret = parse_pci(tok, &want);
	if (ret == -ERANGE)
		return visible_error(errbuf, errlen, -EINVAL,
				     "entry %u \"%s\": PCI address out of range", pos, tok);
	if (ret)
		return visible_error(errbuf, errlen, -EINVAL,
				     "entry %u \"%s\" is neither a node index (N of accelN) nor "
				     "a PCI address ([DDDD:]BB:DD.F)",
				     pos, tok);
	for (i = 0; i < n; i++)
		if (!parse_pci(all[i].pci_address, &have) && have.dom == want.dom &&
		    have.bus == want.bus && have.dev == want.dev && have.fn == want.fn) {
			*pick = i;
			return 0;
		}
	return visible_error(errbuf, errlen, -ENODEV,
			     "entry %u \"%s\": no Ares device at that PCI address", pos, tok);
}

/* Applies @visible to @all[@n] in place; *@kept receives the new length. */
static int filter(const char *visible, struct accel_device_entry *all, size_t n, size_t *kept,
		  char *errbuf, size_t errlen)
{
	struct accel_device_entry *out = NULL;
	const char *p = visible;
	unsigned char *used = NULL;
	unsigned int pos = 0;
	size_t k = 0, pick = 0;
	char tok[64];
	int ret = 0;

	*kept = n;
	trim(visible, strlen(visible), tok, sizeof(tok));
	if (!strcmp(tok, "all"))
		return 0;
	*kept = 0;
	if (!*tok)
		return 0;
	out = calloc(n ? n : 1, sizeof(*out));
	used = calloc(n ? n : 1, 1);
	if (!out || !used) {
		ret = visible_error(errbuf, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		trim(p, len, tok, sizeof(tok));
		if (len >= sizeof(tok)) {
			ret = visible_error(errbuf, errlen, -EINVAL, "entry %u is too long", pos);
			goto out;
		}
		if (!strcmp(tok, "all")) {
			ret = visible_error(errbuf, errlen, -EINVAL,
					    "entry %u: \"all\" must stand alone", pos);
			goto out;
		}
		ret = resolve(tok, pos, all, n, &pick, errbuf, errlen);
		if (ret)
			goto out;
		if (used[pick]) {
			ret = visible_error(errbuf, errlen, -EINVAL,
					    "entry %u \"%s\": %s is listed twice", pos, tok,
					    all[pick].node);
			goto out;
		}
		used[pick] = 1;
		out[k++] = all[pick];
		pos++;
		if (!comma)
			break;
		p = comma + 1;
	}
	memcpy(all, out, k * sizeof(*out));
	*kept = k;
out:
	free(used);
	free(out);
	return ret;
}

int accel_enumerate_visible(const char *visible, const char *dev_dir, const char *sys_dir,
			    struct accel_device_entry *entries, size_t max, size_t *count,
			    char *errbuf, size_t errlen)
{
	struct accel_device_entry *all = NULL;
	size_t n = 0, kept;
	int ret;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!dev_dir || !sys_dir || !count || (max && !entries))
		return visible_error(errbuf, errlen, -EINVAL,
				     "accel_enumerate_visible: bad arguments");
	*count = 0;
	ret = accel_scan(dev_dir, sys_dir, &all, &n);
	if (ret)
		return visible_error(errbuf, errlen, ret, "scanning %s: %s", dev_dir,
				     accel_strerror(ret));
	kept = n;
	if (visible) {
		ret = filter(visible, all, n, &kept, errbuf, errlen);
		if (ret)
			goto out;
	}
	for (size_t i = 0; i < kept && i < max; i++)
		entries[i] = all[i];
	*count = kept;
out:
	free(all);
	return ret;
}

int accel_enumerate(struct accel_device_entry *entries, size_t max, size_t *count)
{
	char err[256];
	int ret;

	ret = accel_enumerate_visible(getenv(VISIBLE_ENV), DEV_DIR, SYS_DIR, entries, max, count,
				      err, sizeof(err));
	/*
	 * A bad list is the user's configuration, and most callers only see
	 * an errno: say what is wrong where the user will look.
	 */
	if (ret && getenv(VISIBLE_ENV))
		fprintf(stderr, "libaccel: %s\n", err);
	return ret;
}

int accel_device_open_index(unsigned int index, accel_device **out, char *errbuf, size_t errlen)
{
	struct accel_device_entry *e;
	char path[64];
	size_t n;
	int ret;

	if (!getenv(VISIBLE_ENV)) {
		snprintf(path, sizeof(path), DEV_DIR "/accel%u", index);
		return accel_device_open(path, out, errbuf, errlen);
	}
	/* Visible devices are numbered from 0 in the order listed. */
	ret = accel_enumerate_visible(getenv(VISIBLE_ENV), DEV_DIR, SYS_DIR, NULL, 0, &n, errbuf,
				      errlen);
	if (ret)
		return ret;
	if (index >= n) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen,
				 "device %u: only %zu visible through " VISIBLE_ENV "=\"%s\"",
				 index, n, getenv(VISIBLE_ENV));
		return -ENODEV;
	}
	e = calloc(n, sizeof(*e));
	if (!e) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "accel_device_open_index: out of memory");
		return -ENOMEM;
	}
	ret = accel_enumerate_visible(getenv(VISIBLE_ENV), DEV_DIR, SYS_DIR, e, n, &n, errbuf,
				      errlen);
	if (!ret && index >= n) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "device %u: gone while opening", index);
		ret = -ENODEV;
	}
	if (!ret)
		ret = accel_device_open(e[index].node, out, errbuf, errlen);
	free(e);
	return ret;
}
