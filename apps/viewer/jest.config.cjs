// Unit tests of the viewer's logic (src/**/*.test.ts), in Node.
module.exports = require('@wavemix/config/jest-preset').preset(__dirname);
