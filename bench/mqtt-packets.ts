// Pre-encoded MQTT 3.1.1 packets for the benchmarks' raw publishers: mqtt.js building one packet
// at a time tops out near the brokers' own rate on this machine and would hide it.

/** A packet: fixed header byte, variable-length remaining length, then the body. */
export function packet(first: number, body: Buffer): Buffer {
  const length: number[] = [];
  let n = body.length;
  do {
    length.push((n % 128) | (n >= 128 ? 128 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.concat([Buffer.from([first, ...length]), body]);
}

/** An MQTT UTF-8 string: two length bytes, then the bytes. */
export function utf8(s: string): Buffer {
  const b = Buffer.from(s);
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
}
