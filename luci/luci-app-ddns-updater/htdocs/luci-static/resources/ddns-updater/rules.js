'use strict';
'require baseclass';

// Generated from the option table of src/config (config.Options) by
//   go test ./src/config -run TestLuCIRules -update
// Do not edit. validate.js checks form values with these rules, as the
// program's own reader does; src/config/testdata/values.json holds both to it.
return baseclass.extend({
	rules: {
		"global.state_dir": {"kind":"abspath","default":"/var/run/ddns-updater"},
		"global.log_level": {"kind":"choice","choices":["error","warn","info","debug"],"default":"info"},
		"global.hook": {"kind":"abspath"},
		"global.seccomp": {"kind":"bool","default":"0"},
		"mail.notify": {"kind":"bool","default":"0"},
		"mail.smtp_server": {"kind":"host"},
		"mail.port": {"kind":"int","min":1,"max":65535,"default":"587"},
		"mail.username": {"kind":"text"},
		"mail.password": {"kind":"secret"},
		"mail.recipient": {"kind":"emails","list":true},
		"mail.sender": {"kind":"email"},
		"mail.tls": {"kind":"bool","default":"1"},
		"mail.ca_file": {"kind":"pemfile"},
		"mail.alert_after": {"kind":"duration","min":60,"max":315360000,"default":"1h"},
		"profile.enabled": {"kind":"bool","default":"0"},
		"profile.service": {"kind":"choice","choices":["all-inkl.com","changeip.com","core-networks.de","desec.io","dnsomatic.com","dy.fi","dyn.com","dyndns.it","dynu.com","dynv6.com","freedns.afraid.org","he.net","hosting.de","infomaniak.com","inwx.de","ipv64.net","joker.com","loopia.se","no-ip.com","now-dns.com","nsupdate.info","opendns.com","ovh.com","schokokeks.org","selfhost.de","simply.com","spdyn.de","strato.com","udmedia.de","variomedia.de"]},
		"profile.server": {"kind":"hostport","required":true},
		"profile.server_path": {"kind":"path","default":"/nic/update"},
		"profile.username": {"kind":"username","required":true},
		"profile.password": {"kind":"secret","required":true},
		"profile.hostname": {"kind":"hostnames","required":true,"list":true},
		"profile.external_ip_server": {"kind":"checkip","required":true,"default":"checkip.dyndns.com"},
		"profile.external_ip_server_path": {"kind":"path","default":"/"},
		"profile.use_regex": {"kind":"bool","default":"1"},
		"profile.ip_source": {"kind":"choice","choices":["web","interface","auto"],"default":"auto"},
		"profile.ip_version": {"kind":"choice","choices":["4","6","both"],"default":"4"},
		"profile.use_https": {"kind":"bool","default":"1"},
		"profile.check_interval": {"kind":"duration","min":60,"max":315360000,"default":"10m"},
		"profile.force_interval": {"kind":"duration","min":86400,"max":315360000,"zero_ok":true,"default":"25d"},
		"profile.user_agent": {"kind":"text"},
		"profile.dns_server": {"kind":"ipport"},
		"profile.ca_file": {"kind":"pemfile"},
		"profile.allow_private": {"kind":"bool","default":"0"},
		"profile.bind": {"kind":"bool","default":"1"},
		"profile.interface": {"kind":"uciname","default":"wan"},
		"profile.device": {"kind":"devname"},
		"profile.ipv6_suffix": {"kind":"ipv6suffix"},
		"profile.lan_host": {"kind":"lanhosts","list":true},
		"profile.lan_interface": {"kind":"uciname","default":"lan"},
		"profile.lan_device": {"kind":"devname"},
		"profile.lan_prefix": {"kind":"bool","default":"0"},
		"profile.prefix_param": {"kind":"param","default":"ipv6prefix"},
		"profile.dual_stack": {"kind":"choice","choices":["separate","comma","param"],"default":"separate"},
		"profile.dual_stack_param": {"kind":"param","default":"myipv6"},
		"profile.auth": {"kind":"auth","default":"basic"},
		"profile.min_interval": {"kind":"duration","min":60,"max":315360000,"zero_ok":true,"default":"0"},
		"profile.notify": {"kind":"bool","default":"1"},
		"profile.ip": {"kind":"ips","list":true}
	}
});
