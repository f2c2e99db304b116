module.exports = require('@wavemix/config/jest-preset').preset(__dirname, {
  testEnvironment: require('node:path').join(__dirname, 'jest.environment.cjs'),
});
