#!/usr/bin/perl
# enable-verity.pl PATH...: enable fs-verity (sha256, 4 KiB blocks, as `fsverity enable` does) on
# every regular file under PATH, in one process: the guest-disk preparation boot runs it under
# TCG, where a process per file (tens of thousands) would take minutes. perl-base only: no modules.
use strict;
my $FS_IOC_ENABLE_VERITY = 0x40806685;    # _IOW('f', 133, struct fsverity_enable_arg), 128 bytes
my $arg = pack('LLLLQLLQ', 1, 1, 4096, 0, 0, 0, 0, 0) . ("\0" x 88);
my ($done, $had, $failed) = (0, 0, 0);
sub walk {
    my ($p) = @_;
    if (-l $p) { return }
    if (-d $p) {
        opendir(my $d, $p) or die "$p: $!";
        my @e = grep { $_ ne '.' && $_ ne '..' } readdir($d);
        closedir($d);
        walk("$p/$_") for @e;
        return;
    }
    return unless -f $p;
    open(my $fh, '<', $p) or do { print STDERR "$p: $!\n"; $failed++; return };
    my $buf = $arg;
    if (ioctl($fh, $FS_IOC_ENABLE_VERITY, $buf)) { $done++ }
    elsif ($!{EEXIST}) { $had++ }
    else { print STDERR "$p: $!\n"; $failed++ }
    close($fh);
}
walk($_) for @ARGV;
print "enable-verity: $done enabled, $had already, $failed failed\n";
exit($failed ? 1 : 0);
