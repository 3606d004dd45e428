// SPDX-License-Identifier: GPL-2.0
/*
 * klf_printk: printks known records when loaded, for selftests/kmsg_source.sh
 * (a log with source kmsg must hold each of them once, in order, as
 * /dev/kmsg gives it). Its messages have no prefix of their own: line i is
 * "TAG i" exactly. Unloading it does nothing. Never load it outside the
 * test VM.
 */

/* pr_debug() prints: the lines at level 7 are records like the others */
#define DEBUG

#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

static unsigned int n = 10;
module_param(n, uint, 0400);
MODULE_PARM_DESC(n, "lines to print, \"TAG 1\" to \"TAG n\"");

static char *tag = "klf_printk";
module_param(tag, charp, 0400);
MODULE_PARM_DESC(tag, "the first word of each record");

static int level = -1;
module_param(level, int, 0400);
MODULE_PARM_DESC(level, "level of the n lines (0 to 7); -1: line i at level i % 8");

static unsigned int rate;
module_param(rate, uint, 0400);
MODULE_PARM_DESC(rate, "lines per millisecond: a 1 ms sleep after each rate lines; 0: no sleep");

static unsigned int lines;
module_param(lines, uint, 0400);
MODULE_PARM_DESC(lines, "if not 0: at the end, one more record of that many lines, first and last \"x\"");

/*
 * one record of @count lines (2 to 1000), "x", @count - 2 empty ones, "x":
 * short in /dev/kmsg ("\x0a" each), long with a prefix on each line
 */
static void klf_printk_lines(unsigned int count)
{
	unsigned int i;
	char *buf;

	count = clamp(count, 2U, 1000U);
	buf = kmalloc(count + 2, GFP_KERNEL);
	if (!buf)
		return;
	buf[0] = 'x';
	for (i = 1; i < count; i++)
		buf[i] = '\n';
	buf[count] = 'x';
	buf[count + 1] = '\0';
	pr_info("%s\n", buf);
	kfree(buf);
}

/*
 * pr_cont(), which continuing a record is what this module is for: through
 * vprintk() as printk() does, so that checkpatch's advice against
 * continuations (right for real drivers) does not apply to the test
 */
static __printf(1, 2) void klf_printk_continue(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vprintk(fmt, args);
	va_end(args);
}

static bool stamp;
module_param(stamp, bool, 0400);
MODULE_PARM_DESC(stamp, "end each numbered line with the wall clock in ns at the printk (make bench)");

/* "TAG i" at level @lvl; with stamp, "TAG i NS" */
static void klf_printk_line(int lvl, unsigned int i)
{
	char sfx[24] = "";

	if (stamp)
		snprintf(sfx, sizeof(sfx), " %llu", ktime_get_real_ns());
	switch (lvl) {
	case 0:
		pr_emerg("%s %u%s\n", tag, i, sfx);
		break;
	case 1:
		pr_alert("%s %u%s\n", tag, i, sfx);
		break;
	case 2:
		pr_crit("%s %u%s\n", tag, i, sfx);
		break;
	case 3:
		pr_err("%s %u%s\n", tag, i, sfx);
		break;
	case 4:
		pr_warn("%s %u%s\n", tag, i, sfx);
		break;
	case 5:
		pr_notice("%s %u%s\n", tag, i, sfx);
		break;
	case 6:
		pr_info("%s %u%s\n", tag, i, sfx);
		break;
	default:
		pr_debug("%s %u%s\n", tag, i, sfx);
		break;
	}
}

static int __init klf_printk_init(void)
{
	unsigned int i;
	int lvl;

	if (level > 7)
		return -EINVAL;
	for (i = 1; i <= n; i++) {
		lvl = level < 0 ? i % 8 : level;
		klf_printk_line(lvl, i);
		if (rate && !(i % rate))
			usleep_range(1000, 2000);
		if (!(i % 1024))
			cond_resched();
	}
	/* one record of two lines */
	pr_info("%s multi first\n%s multi second\n", tag, tag);
	/* one record from three pieces: pr_info(), pr_cont(), pr_cont() */
	pr_info("%s cont a", tag);
	klf_printk_continue(KERN_CONT " b");
	klf_printk_continue(KERN_CONT " c\n");
	if (lines)
		klf_printk_lines(lines);
	return 0;
}

static void __exit klf_printk_exit(void)
{
}

module_init(klf_printk_init);
module_exit(klf_printk_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klogfwd selftest: printks known records for a log with source kmsg");
