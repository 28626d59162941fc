// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/cpu_opv: the cpu_opv system call of the 2018 RFC as one ioctl on a
 * misc device, plus its counters: summed over CPUs in sysfs under
 * /sys/class/misc/cpu_opv/stats/, one row per CPU in debugfs at
 * /sys/kernel/debug/cpu_opv/stats.
 */
#include <linux/compat.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "cpu_opv_internal.h"

#define CPU_OPV_VERSION "0.1.0"

static long cpu_opv_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct cpu_opv_args args;

	if (cmd != CPU_OPV_IOC_EXEC)
		return -ENOTTY;
	if (copy_from_user(&args, (void __user *)arg, sizeof(args)))
		return -EFAULT;
	return cpu_opv_exec(&args);
}

static const struct file_operations cpu_opv_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= cpu_opv_ioctl,
	/* The argument layout is the same for 32-bit callers. */
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static u64 cpu_opv_stat_sum(size_t offset)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *(u64 *)((char *)per_cpu_ptr(&cpu_opv_stats, cpu) +
				offset);
	return sum;
}

#define CPU_OPV_STAT_ATTR(field)					\
static ssize_t field##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  cpu_opv_stat_sum(offsetof(struct cpu_opv_stats, \
						    field)));		\
}									\
static DEVICE_ATTR_RO(field)

static ssize_t vectors_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  cpu_opv_stat_sum(offsetof(struct cpu_opv_stats, local)) +
			  cpu_opv_stat_sum(offsetof(struct cpu_opv_stats, ipi)) +
			  cpu_opv_stat_sum(offsetof(struct cpu_opv_stats,
						    offline)));
}
static DEVICE_ATTR_RO(vectors);

CPU_OPV_STAT_ATTR(local);
CPU_OPV_STAT_ATTR(ipi);
CPU_OPV_STAT_ATTR(offline);
CPU_OPV_STAT_ATTR(compare_failed);
CPU_OPV_STAT_ATTR(einval);
CPU_OPV_STAT_ATTR(efault);
CPU_OPV_STAT_ATTR(eagain);
CPU_OPV_STAT_ATTR(faultins);

static struct attribute *cpu_opv_stats_attrs[] = {
	&dev_attr_vectors.attr,
	&dev_attr_local.attr,
	&dev_attr_ipi.attr,
	&dev_attr_offline.attr,
	&dev_attr_compare_failed.attr,
	&dev_attr_einval.attr,
	&dev_attr_efault.attr,
	&dev_attr_eagain.attr,
	&dev_attr_faultins.attr,
	NULL,
};

static const struct attribute_group cpu_opv_stats_group = {
	.name	= "stats",
	.attrs	= cpu_opv_stats_attrs,
};

static const struct attribute_group *cpu_opv_groups[] = {
	&cpu_opv_stats_group,
	NULL,
};

static int cpu_opv_stats_table_show(struct seq_file *m, void *unused)
{
	int cpu;

	seq_puts(m, "cpu local ipi offline compare_failed einval efault eagain faultins\n");
	for_each_possible_cpu(cpu) {
		const struct cpu_opv_stats *st = per_cpu_ptr(&cpu_opv_stats, cpu);

		seq_printf(m, "%d %llu %llu %llu %llu %llu %llu %llu %llu\n", cpu,
			   READ_ONCE(st->local), READ_ONCE(st->ipi),
			   READ_ONCE(st->offline), READ_ONCE(st->compare_failed),
			   READ_ONCE(st->einval), READ_ONCE(st->efault),
			   READ_ONCE(st->eagain), READ_ONCE(st->faultins));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpu_opv_stats_table);

static struct dentry *cpu_opv_debugfs;

static struct miscdevice cpu_opv_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "cpu_opv",
	.fops	= &cpu_opv_fops,
	/* Like a system call: any user may run vectors on its own memory. */
	.mode	= 0666,
	.groups	= cpu_opv_groups,
};

static int __init cpu_opv_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct cpu_op) != 32);
	BUILD_BUG_ON(offsetof(struct cpu_op, u) != 8);
	BUILD_BUG_ON(sizeof(struct cpu_opv_args) != 24);

	ret = misc_register(&cpu_opv_misc);
	if (ret)
		return ret;
	/* Debugging aid only: the device works without it. */
	cpu_opv_debugfs = debugfs_create_dir("cpu_opv", NULL);
	debugfs_create_file("stats", 0444, cpu_opv_debugfs, NULL,
			    &cpu_opv_stats_table_fops);
	return 0;
}

static void __exit cpu_opv_exit(void)
{
	debugfs_remove(cpu_opv_debugfs);
	misc_deregister(&cpu_opv_misc);
}

module_init(cpu_opv_init);
module_exit(cpu_opv_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The cpu-opv developers");
MODULE_DESCRIPTION("cpu_opv: per-CPU atomic operation vectors via /dev/cpu_opv");
MODULE_VERSION(CPU_OPV_VERSION);
