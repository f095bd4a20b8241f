#ifndef AD_MESSAGES_H
#define AD_MESSAGES_H
/* MESSAGE_IDs of the journal entries the programs write; the catalog (systemd/asyncdemo.catalog)
 * explains each. Generated once with `systemd-id128 new`; never change one. */
#define AD_MSGID_DAEMON_STARTED "25b4e1cce3814f7ebf737ee3eb9e6fa3"
#define AD_MSGID_DAEMON_STOPPING "f0c5027dc187454bb87456f54f91f9cd"
#define AD_MSGID_DAEMON_STOPPED "2e9bfe6dfe1b4713943139e2970fdb71"
#define AD_MSGID_LOOP_STALL "51649557498849bfae2228e36eb4ebdc"
#define AD_MSGID_BLOCKING_REFUSED "605a3860175d442bac9792c2d3af0b5b"
#define AD_MSGID_CONFIG_RELOADED "df0cdc84e93346e29b72e5bcb82f34df"
#define AD_MSGID_BENCH_RESULT "09e81a19b8974145966f9ae435a97c62"
#define AD_MSGID_COMPARE_RESULT "d59c8c2b15844d45b4ed51f4257985e2"
#endif
