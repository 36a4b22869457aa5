// The only bundled code: socket.io-client and its msgpack parser (CommonJS),
// re-exported as one ES module that the app imports from /static/dist/vendor.js.
export { io } from "socket.io-client";
import * as msgpackParser from "socket.io-msgpack-parser";
export { msgpackParser };
