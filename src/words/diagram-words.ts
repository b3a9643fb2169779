// The shape of the words a sequence diagram (--diagram) shows around the dialogue: its lanes, the
// TLS band, a pipelined flight, the legend of reply classes, the time axis. Commands and replies
// are drawn as the transcript shows them; each language gives all of these.

export interface DiagramWords {
  /** The page's title and heading. */
  readonly title: string;
  readonly client: string;
  readonly server: string;
  readonly dns: string;
  /** The arrow that opens a connection; the host arrives escaped. */
  connect(host: string, port: number): string;
  /** Beside it once the connection is made. */
  connected(address: string, port: number): string;
  /** The band of the TLS handshake, above the lines that say what it agreed. */
  readonly handshake: string;
  /** Along the part of the connection that TLS protects. */
  readonly encrypted: string;
  /** The bracket of a pipelined flight: `commands` written at once. */
  flight(commands: number): string;
  /** Under an EHLO written before the greeting came (PIPECONNECT), whose arrow precedes the greeting's. */
  readonly earlyEhlo: string;
  /** A host left for the next one, and why. */
  deferred(why: string): string;
  readonly legend: {
    readonly heading: string;
    readonly command: string;
    readonly reply2: string;
    readonly reply3: string;
    readonly reply4: string;
    readonly reply5: string;
  };
  /** The heading of the time axis (--timing). */
  readonly time: string;
  /** The status the run ended with, under the diagram. */
  status(status: number): string;
  /** The switch between the light and the dark theme. */
  readonly theme: string;
}
