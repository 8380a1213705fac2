#!/usr/bin/perl
# Licensed under the Apache License, Version 2.0 (see LICENSE).
#
#   mkdbm.pl FILE COUNT HASH
#
# Write a DBM user file with COUNT users (alice and user0000001, ...),
# every one with the same password HASH, in Berkeley DB hash format:
# APR-util's default DBM type on Debian, so mod_authn_dbm and
# mod_authchallenge read it like a file made by htdbm.  Keys carry no NUL.
use strict;
use warnings;
use DB_File;
use Fcntl;

my ($file, $count, $hash) = @ARGV;
die "usage: mkdbm.pl FILE COUNT HASH\n" unless defined $hash;
my $info = DB_File::HASHINFO->new;
$info->{cachesize} = 64 << 20;
$info->{nelem} = $count;
unlink $file;
tie my %db, 'DB_File', "$file.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644, $info
    or die "mkdbm.pl: $file.tmp: $!\n";
$db{alice} = $hash;
$db{sprintf "user%07d", $_} = $hash for 1 .. $count - 1;
untie %db;
rename "$file.tmp", $file or die "mkdbm.pl: $file: $!\n";
