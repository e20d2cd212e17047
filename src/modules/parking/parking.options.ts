/** How bookings behave (all optional). */
export interface ParkingOptions {
  /** Minutes after the start a booking waits for its car before it is released as a no-show (default 15). */
  noShowGraceMinutes: number;
  /** Minutes past the end before an occupied booking is flagged as overstaying (default 15). */
  overstayGraceMinutes: number;
  /** Longest booking, hours (default 24). */
  maxBookingHours: number;
  /** Local day offset from UTC (default 480, Chongqing). */
  dayOffsetMinutes: number;
}

export const DEFAULT_PARKING_OPTIONS: ParkingOptions = {
  noShowGraceMinutes: 15,
  overstayGraceMinutes: 15,
  maxBookingHours: 24,
  dayOffsetMinutes: 480,
};
