module.exports = require('@wavemix/config/jest-preset').preset(__dirname);
