import { describe, expect, test } from "bun:test";
import {
  type AddressKind,
  classifyIpAddress,
  isPublicAddress,
  parseIPv6,
} from "../../../src/delivery/ip-address.ts";

describe("classifyIpAddress", () => {
  test.each<[string, AddressKind]>([
    // IPv4
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["140.82.112.3", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.0.0.5", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["172.15.255.255", "public"],
    ["192.168.1.1", "private"],
    ["169.254.1.1", "link-local"],
    ["169.254.169.254", "cloud-metadata"],
    ["100.100.100.200", "cloud-metadata"],
    ["192.0.0.192", "cloud-metadata"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "reserved"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["100.128.0.1", "public"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.10", "reserved"],
    ["198.18.0.1", "reserved"],
    ["198.51.100.7", "reserved"],
    ["203.0.113.9", "reserved"],
    // IPv6
    ["2606:4700:4700::1111", "public"],
    ["2001:4860:4860::8888", "public"],
    ["::1", "loopback"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "private"],
    ["fd12:3456:789a::1", "private"],
    ["fd00:ec2::254", "cloud-metadata"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fec0::1", "private"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "reserved"],
    ["2001::1", "reserved"],
    ["100::1", "reserved"],
    ["::1.2.3.4", "reserved"],
    ["4000::1", "reserved"],
    // IPv6 carrying IPv4
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::FFFF:10.0.0.5", "private"],
    ["::ffff:169.254.169.254", "cloud-metadata"],
    ["::ffff:8.8.8.8", "public"],
    ["64:ff9b::a00:5", "private"],
    ["64:ff9b::8.8.8.8", "public"],
    ["64:ff9b:1::1", "private"],
    ["2002:7f00:1::", "loopback"],
    ["2002:808:808::1", "public"],
  ])("%s is %s", (address, kind) => {
    expect(classifyIpAddress(address)).toBe(kind);
  });

  test.each([
    ["example.com"],
    [""],
    ["1.2.3"],
    ["1.2.3.4.5"],
    ["256.1.1.1"],
    ["01.2.3.4"],
    ["1:2:3:4:5:6:7:8:9"],
    ["1::2::3"],
    ["12345::1"],
    ["1.2.3.4::"],
    ["::g"],
    ["1:2:3:4:5:6:7"],
    ["1:2:3:4:5:6:7::8"],
  ])("%p is not an IP address", (text) => {
    expect(classifyIpAddress(text)).toBeUndefined();
  });
});

describe("isPublicAddress", () => {
  test("is true only for public addresses", () => {
    expect(isPublicAddress("8.8.8.8")).toBe(true);
    expect(isPublicAddress("10.0.0.1")).toBe(false);
    expect(isPublicAddress("not an address")).toBe(false);
  });
});

describe("parseIPv6", () => {
  test.each([
    ["::", 0n],
    ["::1", 1n],
    ["1::", 1n << 112n],
    ["1:2:3:4:5:6:7:8", 0x0001_0002_0003_0004_0005_0006_0007_0008n],
    ["::ffff:1.2.3.4", 0xffff_0102_0304n],
  ])("reads %s", (text, value) => {
    expect(parseIPv6(text)).toBe(value);
  });
});
